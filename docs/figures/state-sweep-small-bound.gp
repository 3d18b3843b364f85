# copyproof figure state-sweep-small-bound: Theorem 2.7 over a small alphabet, where the limit falls inside the evaluated lengths for the smallest states: no trained point beats it; the distance is bits of state per letter copied
# command: copyproof figures --only state-sweep-small-bound --seed 1 --data docs/results/data
# version: copyproof 0.1.0
# seed: 1
# Renders state-sweep-small-bound.svg and state-sweep-small-bound.png from state-sweep-small-bound.csv: cd to this folder and run
#   gnuplot state-sweep-small-bound.gp
if (!exists('svg_out')) svg_out = 'state-sweep-small-bound.svg'
if (!exists('png_out')) png_out = 'state-sweep-small-bound.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1100,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1100,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'No trained fixed-state model copies past Theorem 2.7''s limit for its state; the trained ones stop far below it' font ',14'
  unset logscale
  unset object
  unset label
  unset arrow
  unset y2tics
  unset y2label
  set ytics mirror
  set format x '% h'
  set format y '% h'
  set xrange [*:*]
  set yrange [*:*]
  set datafile separator comma
  set datafile columnheaders
  set grid lc rgb '#dddddd'
  set border lw 1.2
  set title ''
  set xlabel 'state size (bits: 32 per float32 number)'
  set ylabel 'longest length copied with string accuracy >= 1/2 (letters)'
  set logscale x
  set format x '10^{%L}'
  set logscale y
  set format y '10^{%L}'
  set yrange [0.2:5000]
  set key inside left top vertical Left reverse spacing 1.2 box opaque
  set ytics add ('0' 0.3)
  plot \
    'state-sweep-small-bound.csv' using (column('state_bits_32')):(column('bound_longest_length_32')) with linespoints lw 2 pt 2 lc rgb '#000000' title 'Theorem 2.7 limit, 32 bits/number', \
    'state-sweep-small-bound.csv' using (column('state_bits_32')):(column('bound_at_fewest_bits')) with points pt 8 ps 1.6 lw 2 lc rgb '#000000' title 'limit at the fewest bits/number still copying', \
    'state-sweep-small-bound.csv' using (column('state_bits_32')):((strcol('model') eq 'lstm' ? column('longest_drawn') : NaN)) with points pt 7 ps 1.3 lc rgb '#009E73' title 'trained lstm (seeds 1-3, a point each)', \
    'state-sweep-small-bound.csv' using (column('state_bits_32')):((strcol('model') eq 'mamba' ? column('longest_drawn') : NaN)) with points pt 6 ps 2.2 lw 2 lc rgb '#D55E00' title 'trained mamba (seeds 1-3, a point each)'
  unset multiplot
  unset output
}

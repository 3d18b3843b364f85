# copyproof figure debruijn-margins: Theorem 2.3's proof (docs/construction.md): the margins that make the copy exact
# command: copyproof figures --only debruijn-margins --seed 1
# version: copyproof 0.1.0
# seed: 1
# Renders debruijn-margins.svg and debruijn-margins.png from debruijn-margins.csv: cd to this folder and run
#   gnuplot debruijn-margins.gp
if (!exists('svg_out')) svg_out = 'debruijn-margins.svg'
if (!exists('png_out')) png_out = 'debruijn-margins.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1300,600 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1300,600 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,2 title 'Along de Bruijn strings every margin of the proof holds with room to spare (Theorem 2.3)' font ',14'
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
  set title 'layer 2: softmax mass on the matched key'
  set xlabel 'length of the de Bruijn string B(D, n) (letters)'
  set ylabel 'mass (fraction of attention)'
  set logscale x
  set format x '10^{%L}'
  set yrange [0:1.02]
  set key bottom right Left reverse spacing 1.1 font ',10'
  plot \
    'debruijn-margins.csv' using (column('L')):((column('D') == 2 ? column('min_match_mass') : NaN)) with linespoints lw 2 pt 7 lc rgb '#0072B2' title 'D = 2: smallest measured', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 2 ? column('match_mass_floor') : NaN)) with linespoints lw 1.5 dt 2 pt 6 lc rgb '#0072B2' title 'D = 2: floor the parameters guarantee', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 2 ? column('sufficient_match_mass') : NaN)) with lines lw 1.5 dt 3 lc rgb '#0072B2' title 'D = 2: the proof''s sufficient floor b/(b+1)', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 4 ? column('min_match_mass') : NaN)) with linespoints lw 2 pt 7 lc rgb '#D55E00' title 'D = 4: smallest measured', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 4 ? column('match_mass_floor') : NaN)) with linespoints lw 1.5 dt 2 pt 6 lc rgb '#D55E00' title 'D = 4: floor the parameters guarantee', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 4 ? column('sufficient_match_mass') : NaN)) with lines lw 1.5 dt 3 lc rgb '#D55E00' title 'D = 4: the proof''s sufficient floor b/(b+1)', \
    'debruijn-margins.csv' using (column('L')):(column('argmax_threshold')) with lines lw 2 dt 4 lc rgb 'black' title 'argmax right iff mass > 1/2 (exact threshold)'
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
  set title 'layer 1: error of the gathered n-gram codes'
  set xlabel 'length of the de Bruijn string B(D, n) (letters)'
  set ylabel 'max |stream - exact code|'
  set logscale x
  set format x '10^{%L}'
  set logscale y
  set format y '10^{%L}'
  set yrange [1e-9:1e-4]
  set key top left Left reverse spacing 1.1 font ',10'
  plot \
    'debruijn-margins.csv' using (column('L')):((column('D') == 2 ? column('max_layer1_error') : NaN)) with linespoints lw 2 pt 7 lc rgb '#0072B2' title 'D = 2: largest measured (fp32)', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 2 ? column('layer1_error_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#0072B2' title 'D = 2: bound the proof uses', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 4 ? column('max_layer1_error') : NaN)) with linespoints lw 2 pt 7 lc rgb '#D55E00' title 'D = 4: largest measured (fp32)', \
    'debruijn-margins.csv' using (column('L')):((column('D') == 4 ? column('layer1_error_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#D55E00' title 'D = 4: bound the proof uses'
  unset multiplot
  unset output
}

# copyproof figure sample-efficiency: The paper's sample-efficiency experiment where it found the gap (training on longer strings): the transformer learns to copy from far fewer examples than fixed-state models
# command: copyproof figures --only sample-efficiency --seed 1 --data docs/results/data
# version: copyproof 0.1.0
# seed: 1
# Renders sample-efficiency.svg and sample-efficiency.png from sample-efficiency.csv: cd to this folder and run
#   gnuplot sample-efficiency.gp
if (!exists('svg_out')) svg_out = 'sample-efficiency.svg'
if (!exists('png_out')) png_out = 'sample-efficiency.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1100,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1100,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'String accuracy at length 50 against training examples seen (copy task, study sample-efficiency, mean over seeds)' font ',14'
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
  set xlabel 'training examples seen (steps × batch)'
  set ylabel 'string accuracy (95% interval)'
  set logscale x
  set format x '10^{%L}'
  set yrange [-0.02:1.3]
  set key inside center top horizontal Left reverse spacing 1.2 box opaque
  set ytics 0, 0.2, 1
  set xrange [6400:200000]
  plot \
    'sample-efficiency.csv' using (column('examples_seen')):((strcol('model') eq 'transformer' ? column('low') : NaN)):((strcol('model') eq 'transformer' ? column('high') : NaN)) with filledcurves fs transparent solid 0.2 noborder lc rgb '#0072B2' notitle, \
    'sample-efficiency.csv' using (column('examples_seen')):((strcol('model') eq 'transformer' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 1 pt 4 ps 1.1 lc rgb '#0072B2' title 'transformer (hard-alibi)', \
    'sample-efficiency.csv' using (column('examples_seen')):((strcol('model') eq 'mamba' ? column('low') : NaN)):((strcol('model') eq 'mamba' ? column('high') : NaN)) with filledcurves fs transparent solid 0.2 noborder lc rgb '#D55E00' notitle, \
    'sample-efficiency.csv' using (column('examples_seen')):((strcol('model') eq 'mamba' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 2 pt 6 ps 1.1 lc rgb '#D55E00' title 'mamba', \
    'sample-efficiency.csv' using (column('examples_seen')):((strcol('model') eq 'lstm' ? column('low') : NaN)):((strcol('model') eq 'lstm' ? column('high') : NaN)) with filledcurves fs transparent solid 0.2 noborder lc rgb '#009E73' notitle, \
    'sample-efficiency.csv' using (column('examples_seen')):((strcol('model') eq 'lstm' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 3 pt 8 ps 1.1 lc rgb '#009E73' title 'lstm'
  unset multiplot
  unset output
}

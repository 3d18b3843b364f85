# copyproof figure trained-length-generalization: The paper's trained comparison (length generalization): fixed-state models fail past their training lengths, the transformer generalizes
# command: copyproof figures --only trained-length-generalization --seed 1 --data docs/results/data
# version: copyproof 0.1.0
# seed: 1
# Renders trained-length-generalization.svg and trained-length-generalization.png from trained-length-generalization.csv: cd to this folder and run
#   gnuplot trained-length-generalization.gp
if (!exists('svg_out')) svg_out = 'trained-length-generalization.svg'
if (!exists('png_out')) png_out = 'trained-length-generalization.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1100,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1100,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'Past the training lengths (5-20): which trained models keep copying? (paper: the transformer, not fixed-state models)' font ',14'
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
  set xlabel 'test string length (letters)'
  set ylabel 'string accuracy (mean over seeds, 95% interval)'
  set logscale x
  set format x '10^{%L}'
  set yrange [-0.02:1.3]
  set key inside center top horizontal Left reverse spacing 1.2 box opaque
  set ytics 0, 0.2, 1
  set object 1 rect from 5, graph 0 to 20, graph 1 behind fc rgb '#eeeeee' fs solid 1.0 noborder
  set label 1 ' training lengths' at 5, first 1.07 left front
  set xrange [4:200]
  plot \
    'trained-length-generalization.csv' using (column('length')):((strcol('model') eq 'transformer' ? column('low') : NaN)):((strcol('model') eq 'transformer' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#0072B2' notitle, \
    'trained-length-generalization.csv' using (column('length')):((strcol('model') eq 'transformer' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 1 pt 5 ps 1.2 lc rgb '#0072B2' title 'transformer (hard-alibi) (3 seeds)', \
    'trained-length-generalization.csv' using (column('length')):((strcol('model') eq 'mamba' ? column('low') : NaN)):((strcol('model') eq 'mamba' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#D55E00' notitle, \
    'trained-length-generalization.csv' using (column('length')):((strcol('model') eq 'mamba' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 2 pt 7 ps 1.2 lc rgb '#D55E00' title 'mamba (3 seeds)', \
    'trained-length-generalization.csv' using (column('length')):((strcol('model') eq 'lstm' ? column('low') : NaN)):((strcol('model') eq 'lstm' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#009E73' notitle, \
    'trained-length-generalization.csv' using (column('length')):((strcol('model') eq 'lstm' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 3 pt 9 ps 1.2 lc rgb '#009E73' title 'lstm (3 seeds)'
  unset multiplot
  unset output
}

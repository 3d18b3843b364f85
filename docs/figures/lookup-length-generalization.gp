# copyproof figure lookup-length-generalization: The paper's lookup experiment: transformers retrieve from the context, fixed-state models must have stored what the key asks for (suffix) and fail once the string outgrows what they keep
# command: copyproof figures --only lookup-length-generalization --seed 1 --data docs/results/data
# version: copyproof 0.1.0
# seed: 1
# Renders lookup-length-generalization.svg and lookup-length-generalization.png from lookup-length-generalization.csv: cd to this folder and run
#   gnuplot lookup-length-generalization.gp
if (!exists('svg_out')) svg_out = 'lookup-length-generalization.svg'
if (!exists('png_out')) png_out = 'lookup-length-generalization.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1400,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1400,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,2 title 'n-gram lookup, trained on 5-20 letters: which models find the answer in longer strings?' font ',14'
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
  set title 'suffix lookup (key after the string)'
  set xlabel 'length of the string searched (letters)'
  set ylabel 'string accuracy (mean over seeds, 95% interval)'
  set logscale x
  set format x '10^{%L}'
  set yrange [-0.02:1.3]
  set key inside center top horizontal Left reverse spacing 1.2 box opaque
  set ytics 0, 0.2, 1
  set object 1 rect from 5, graph 0 to 20, graph 1 behind fc rgb '#eeeeee' fs solid 1.0 noborder
  set label 1 ' training lengths' at 5, first 1.07 left front
  set xrange [4:100]
  plot \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'suffix-transformer' ? column('low') : NaN)):((strcol('group') eq 'suffix-transformer' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#0072B2' notitle, \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'suffix-transformer' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 1 pt 5 ps 1.2 lc rgb '#0072B2' title 'transformer (hard-alibi) (2 seeds)', \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'suffix-mamba' ? column('low') : NaN)):((strcol('group') eq 'suffix-mamba' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#D55E00' notitle, \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'suffix-mamba' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 2 pt 7 ps 1.2 lc rgb '#D55E00' title 'mamba (2 seeds)', \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'suffix-lstm' ? column('low') : NaN)):((strcol('group') eq 'suffix-lstm' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#009E73' notitle, \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'suffix-lstm' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 3 pt 9 ps 1.2 lc rgb '#009E73' title 'lstm (2 seeds)'
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
  set title 'prefix lookup (key before the string)'
  set xlabel 'length of the string searched (letters)'
  set ylabel 'string accuracy (mean over seeds, 95% interval)'
  set logscale x
  set format x '10^{%L}'
  set yrange [-0.02:1.3]
  set key inside center top horizontal Left reverse spacing 1.2 box opaque
  set ytics 0, 0.2, 1
  set object 1 rect from 5, graph 0 to 20, graph 1 behind fc rgb '#eeeeee' fs solid 1.0 noborder
  set label 1 ' training lengths' at 5, first 1.07 left front
  set xrange [4:100]
  plot \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'prefix-transformer' ? column('low') : NaN)):((strcol('group') eq 'prefix-transformer' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#0072B2' notitle, \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'prefix-transformer' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 1 pt 5 ps 1.2 lc rgb '#0072B2' title 'transformer (hard-alibi) (2 seeds)', \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'prefix-mamba' ? column('low') : NaN)):((strcol('group') eq 'prefix-mamba' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#D55E00' notitle, \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'prefix-mamba' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 2 pt 7 ps 1.2 lc rgb '#D55E00' title 'mamba (2 seeds)', \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'prefix-lstm' ? column('low') : NaN)):((strcol('group') eq 'prefix-lstm' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#009E73' notitle, \
    'lookup-length-generalization.csv' using (column('length')):((strcol('group') eq 'prefix-lstm' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 3 pt 9 ps 1.2 lc rgb '#009E73' title 'lstm (2 seeds)'
  unset multiplot
  unset output
}

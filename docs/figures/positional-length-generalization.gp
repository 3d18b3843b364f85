# copyproof figure positional-length-generalization: The paper's length-generalization comparison across positional encodings (theory.md, Experiments: trained on <= 50 letters, RoPE and NoPE transformers decay gradually past it, Hard-ALiBi stays near-perfect to 1000)
# command: copyproof figures --only positional-length-generalization --seed 1 --data docs/results/data
# version: copyproof 0.1.0
# seed: 1
# Renders positional-length-generalization.svg and positional-length-generalization.png from positional-length-generalization.csv: cd to this folder and run
#   gnuplot positional-length-generalization.gp
if (!exists('svg_out')) svg_out = 'positional-length-generalization.svg'
if (!exists('png_out')) png_out = 'positional-length-generalization.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1100,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1100,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'Transformers trained on 5-20 letters: which positional encoding keeps copying longer strings?' font ',14'
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
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'nope' ? column('low') : NaN)):((strcol('encoding') eq 'nope' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#0072B2' notitle, \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'nope' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 1 pt 5 ps 1.2 lc rgb '#0072B2' title 'NoPE (3 seeds)', \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'rope' ? column('low') : NaN)):((strcol('encoding') eq 'rope' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#D55E00' notitle, \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'rope' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 2 pt 7 ps 1.2 lc rgb '#D55E00' title 'RoPE (3 seeds)', \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'alibi' ? column('low') : NaN)):((strcol('encoding') eq 'alibi' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#009E73' notitle, \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'alibi' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 3 pt 9 ps 1.2 lc rgb '#009E73' title 'ALiBi (3 seeds)', \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'hard-alibi' ? column('low') : NaN)):((strcol('encoding') eq 'hard-alibi' ? column('high') : NaN)) with filledcurves fs transparent solid 0.15 noborder lc rgb '#CC79A7' notitle, \
    'positional-length-generalization.csv' using (column('length')):((strcol('encoding') eq 'hard-alibi' ? column('mean_string_accuracy') : NaN)) with linespoints lw 2 dt 4 pt 11 ps 1.2 lc rgb '#CC79A7' title 'Hard-ALiBi (3 seeds)'
  unset multiplot
  unset output
}

# copyproof figure dup-ngram-probe: The paper's mechanism probe: a learned n-gram lookup fails when the n-gram it keys on repeats
# command: copyproof figures --only dup-ngram-probe --seed 1 --data docs/results/data
# version: copyproof 0.1.0
# seed: 1
# Renders dup-ngram-probe.svg and dup-ngram-probe.png from dup-ngram-probe.csv: cd to this folder and run
#   gnuplot dup-ngram-probe.gp
if (!exists('svg_out')) svg_out = 'dup-ngram-probe.svg'
if (!exists('png_out')) png_out = 'dup-ngram-probe.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1100,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1100,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'Strings with a duplicated n-gram: where the trained models'' copying breaks (n-gram probe)' font ',14'
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
  set xlabel 'length n of the duplicated n-gram (letters)'
  set ylabel 'string accuracy (mean over seeds, 95% interval)'
  set yrange [-0.02:1.3]
  set key inside center top horizontal Left reverse spacing 1.2 box opaque
  set ytics 0, 0.2, 1
  set xtics 1
  set offsets 0.5, 0.5, 0, 0
  plot \
    'dup-ngram-probe.csv' using (column('ngram')):((strcol('model') eq 'transformer' && column('length') == 20 ? column('mean_string_accuracy') : NaN)):(column('low')):(column('high')) with yerrorlines lw 2 pt 7 lc rgb '#0072B2' title 'transformer (hard-alibi), L = 20', \
    'dup-ngram-probe.csv' using (column('ngram')):((strcol('model') eq 'mamba' && column('length') == 20 ? column('mean_string_accuracy') : NaN)):(column('low')):(column('high')) with yerrorlines lw 2 pt 7 lc rgb '#D55E00' title 'mamba, L = 20', \
    'dup-ngram-probe.csv' using (column('ngram')):((strcol('model') eq 'lstm' && column('length') == 20 ? column('mean_string_accuracy') : NaN)):(column('low')):(column('high')) with yerrorlines lw 2 pt 7 lc rgb '#009E73' title 'lstm, L = 20'
  unset multiplot
  unset output
}

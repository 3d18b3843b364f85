# copyproof figure error-vs-length: Theorem 2.3 (err <= p_ngram, with equality for the hash construction) and Lemma 2.4
# command: copyproof figures --only error-vs-length --seed 1
# version: copyproof 0.1.0
# seed: 1
# Renders error-vs-length.svg and error-vs-length.png from error-vs-length.csv: cd to this folder and run
#   gnuplot error-vs-length.gp
if (!exists('svg_out')) svg_out = 'error-vs-length.svg'
if (!exists('png_out')) png_out = 'error-vs-length.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1150,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1150,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'The copy transformer errs exactly on strings with a repeated n-gram: error = p_{ngram} ≤ Lemma 2.4 (D = 4)' font ',14'
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
  set xlabel 'string length L (letters)'
  set ylabel 'probability over uniform strings'
  set logscale x
  set format x '10^{%L}'
  set yrange [0:1.05]
  set key outside right top vertical Left reverse width -2 spacing 1.1
  plot \
    'error-vs-length.csv' using (column('L')):((column('n') == 4 && column('strings') > 0 ? column('measured_error') : NaN)):(column('measured_low')):(column('measured_high')) with yerrorbars pt 7 ps 0.7 lc rgb '#0072B2' title 'n = 4: transformer error (95% Wilson)', \
    'error-vs-length.csv' using (column('L')):((column('n') == 4 ? column('p_ngram') : NaN)) with lines lw 2 lc rgb '#0072B2' title 'n = 4: p_{ngram} (exact / Monte Carlo)', \
    'error-vs-length.csv' using (column('L')):((column('n') == 4 ? column('lemma_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#0072B2' title 'n = 4: Lemma 2.4 bound', \
    'error-vs-length.csv' using (column('L')):((column('n') == 6 && column('strings') > 0 ? column('measured_error') : NaN)):(column('measured_low')):(column('measured_high')) with yerrorbars pt 7 ps 0.7 lc rgb '#D55E00' title 'n = 6: transformer error (95% Wilson)', \
    'error-vs-length.csv' using (column('L')):((column('n') == 6 ? column('p_ngram') : NaN)) with lines lw 2 lc rgb '#D55E00' title 'n = 6: p_{ngram} (exact / Monte Carlo)', \
    'error-vs-length.csv' using (column('L')):((column('n') == 6 ? column('lemma_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#D55E00' title 'n = 6: Lemma 2.4 bound', \
    'error-vs-length.csv' using (column('L')):((column('n') == 8 && column('strings') > 0 ? column('measured_error') : NaN)):(column('measured_low')):(column('measured_high')) with yerrorbars pt 7 ps 0.7 lc rgb '#009E73' title 'n = 8: transformer error (95% Wilson)', \
    'error-vs-length.csv' using (column('L')):((column('n') == 8 ? column('p_ngram') : NaN)) with lines lw 2 lc rgb '#009E73' title 'n = 8: p_{ngram} (exact / Monte Carlo)', \
    'error-vs-length.csv' using (column('L')):((column('n') == 8 ? column('lemma_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#009E73' title 'n = 8: Lemma 2.4 bound'
  unset multiplot
  unset output
}

# copyproof figure error-bound-presets: Theorem 2.7 and Corollary 2.8, for the published architectures
# command: copyproof figures --only error-bound-presets --seed 1
# version: copyproof 0.1.0
# seed: 1
# Renders error-bound-presets.svg and error-bound-presets.png from error-bound-presets.csv: cd to this folder and run
#   gnuplot error-bound-presets.gp
if (!exists('svg_out')) svg_out = 'error-bound-presets.svg'
if (!exists('png_out')) png_out = 'error-bound-presets.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1200,650 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1200,650 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'Past the length its state holds, every fixed-state preset errs on almost every string (Theorem 2.7)' font ',14'
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
  set xlabel 'copy length L (tokens, D = 50277)'
  set ylabel 'lower bound on the copy error'
  set logscale x
  set format x '10^{%L}'
  set xrange [1e4:1e11]
  set yrange [-0.03:1.05]
  set key inside right center vertical Left reverse spacing 1.1 box font ',11'
  plot \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba-130m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' title 'Mamba-1', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba-370m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba-790m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba-1.4b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba-2.8b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba2-130m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' title 'Mamba-2', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba2-370m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba2-780m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba2-1.3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba2-2.7b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba-codestral-7b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba2-8b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'falcon-mamba-7b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba3-siso-1.5b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#009E73' title 'Mamba-3 (SISO)', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'mamba3-mimo-1.5b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#CC79A7' title 'Mamba-3 (MIMO)', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv4-169m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' title 'RWKV-4', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv4-430m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv4-1.5b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv4-3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv4-7b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv4-14b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv7-168m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#56B4E9' title 'RWKV-7', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv7-421m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#56B4E9' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv7-1.5b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#56B4E9' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'rwkv7-2.9b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#56B4E9' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'gla-1.3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#000000' title 'GLA', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'retnet-1.3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#999999' title 'RetNet', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'deltanet-1.3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#0072B2' title 'DeltaNet', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'gated-deltanet-1.3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#D55E00' title 'Gated DeltaNet', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'hgrn2-1.3b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#009E73' title 'HGRN2', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'xlstm-7b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#CC79A7' title 'xLSTM (mLSTM)', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'recurrentgemma-2b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' title 'RecurrentGemma (Griffin)', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'recurrentgemma-9b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 lc rgb '#E69F00' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'jamba-v0.1' ? column('error_lower_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#56B4E9' title 'Jamba (hybrid), no bound', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'zamba2-2.7b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#000000' title 'Zamba2 (hybrid), no bound', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'pythia-410m' ? column('error_lower_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#999999' title 'Pythia (transformer), no bound', \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'pythia-1.4b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#999999' notitle, \
    'error-bound-presets.csv' using (column('L')):((strcol('preset') eq 'pythia-2.8b' ? column('error_lower_bound') : NaN)) with lines lw 1.5 dt 2 lc rgb '#999999' notitle
  unset multiplot
  unset output
}

# copyproof figure state-vs-length: Theorem 2.7 and Corollary 2.8 (state linear in L) against Corollary 2.5 (dimension logarithmic in L)
# command: copyproof figures --only state-vs-length --seed 1
# version: copyproof 0.1.0
# seed: 1
# Renders state-vs-length.svg and state-vs-length.png from state-vs-length.csv: cd to this folder and run
#   gnuplot state-vs-length.gp
if (!exists('svg_out')) svg_out = 'state-vs-length.svg'
if (!exists('png_out')) png_out = 'state-vs-length.png'
do for [format = 1:2] {
  reset
  if (format == 1) { set terminal svg size 1200,720 dynamic enhanced font 'Helvetica,14' background rgb 'white'; set output svg_out }
  if (format == 2) { set terminal pngcairo size 1200,720 enhanced font 'Helvetica,12' background rgb 'white'; set output png_out }
  set multiplot layout 1,1 title 'A fixed-state model needs state linear in L; the copy transformer''s weights grow like log L' font ',14'
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
  set xlabel 'copy length L (tokens)'
  set ylabel 'bits (numbers at 16 bits each)'
  set logscale x
  set format x '10^{%L}'
  set logscale y
  set format y '10^{%L}'
  set xrange [10:1e12]
  set yrange [10:1e19]
  set key outside right top vertical Left reverse spacing 1.1 font ',11'
  plot \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 26 ? column('gssm_bits_half') : NaN)) with lines lw 2.5 lc rgb '#0072B2' title 'GSSM state needed, err ≤ 1/2, D = 26', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 26 ? column('gssm_bits_0.01') : NaN)) with points pt 6 ps 0.6 lc rgb '#0072B2' title 'GSSM state needed, err ≤ 0.01, D = 26', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 26 ? column('weight_bits') : NaN)) with linespoints lw 2 pt 4 ps 1 pi 8 lc rgb '#0072B2' title 'copy transformer weights, D = 26', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 26 ? column('kv_cache_bits') : NaN)) with lines lw 1.5 dt 3 lc rgb '#0072B2' title 'copy transformer KV cache, D = 26', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 50277 ? column('gssm_bits_half') : NaN)) with lines lw 2.5 lc rgb '#D55E00' title 'GSSM state needed, err ≤ 1/2, D = 50277', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 50277 ? column('gssm_bits_0.01') : NaN)) with points pt 6 ps 0.6 lc rgb '#D55E00' title 'GSSM state needed, err ≤ 0.01, D = 50277', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 50277 ? column('weight_bits') : NaN)) with linespoints lw 2 pt 4 ps 1 pi 8 lc rgb '#D55E00' title 'copy transformer weights, D = 50277', \
    'state-vs-length.csv' using (column('L')):((strcol('row') eq 'curve' && column('D') == 50277 ? column('kv_cache_bits') : NaN)) with lines lw 1.5 dt 3 lc rgb '#D55E00' title 'copy transformer KV cache, D = 50277', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'Mamba-1' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 5 ps 1.3 lc rgb '#009E73' title 'Mamba-1 presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'Mamba-2' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 7 ps 1.3 lc rgb '#CC79A7' title 'Mamba-2 presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'Mamba-3 (SISO)' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 9 ps 1.3 lc rgb '#E69F00' title 'Mamba-3 (SISO) presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'Mamba-3 (MIMO)' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 11 ps 1.3 lc rgb '#56B4E9' title 'Mamba-3 (MIMO) presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'RWKV-4' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 13 ps 1.3 lc rgb '#000000' title 'RWKV-4 presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'RWKV-7' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 15 ps 1.3 lc rgb '#999999' title 'RWKV-7 presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'GLA' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 4 ps 1.3 lc rgb '#0072B2' title 'GLA presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'RetNet' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 6 ps 1.3 lc rgb '#D55E00' title 'RetNet presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'DeltaNet' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 8 ps 1.3 lc rgb '#009E73' title 'DeltaNet presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'Gated DeltaNet' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 10 ps 1.3 lc rgb '#CC79A7' title 'Gated DeltaNet presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'HGRN2' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 12 ps 1.3 lc rgb '#E69F00' title 'HGRN2 presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'xLSTM (mLSTM)' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 14 ps 1.3 lc rgb '#56B4E9' title 'xLSTM (mLSTM) presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('family') eq 'RecurrentGemma (Griffin)' && strcol('row') eq 'preset-stop' ? column('preset_state_bits') : NaN)) with points pt 5 ps 1.3 lc rgb '#000000' title 'RecurrentGemma (Griffin) presets (where they stop)', \
    'state-vs-length.csv' using (column('L')):((strcol('preset') eq 'jamba-v0.1' && strcol('row') eq 'preset-growing' ? column('preset_state_bits') : NaN)) with lines lw 1 lc rgb '#777777' title 'Jamba (hybrid) KV cache (grows)', \
    'state-vs-length.csv' using (column('L')):((strcol('preset') eq 'zamba2-2.7b' && strcol('row') eq 'preset-growing' ? column('preset_state_bits') : NaN)) with lines lw 1 lc rgb '#777777' notitle, \
    'state-vs-length.csv' using (column('L')):((strcol('preset') eq 'pythia-410m' && strcol('row') eq 'preset-growing' ? column('preset_state_bits') : NaN)) with lines lw 1 lc rgb '#777777' notitle, \
    'state-vs-length.csv' using (column('L')):((strcol('preset') eq 'pythia-1.4b' && strcol('row') eq 'preset-growing' ? column('preset_state_bits') : NaN)) with lines lw 1 lc rgb '#777777' notitle, \
    'state-vs-length.csv' using (column('L')):((strcol('preset') eq 'pythia-2.8b' && strcol('row') eq 'preset-growing' ? column('preset_state_bits') : NaN)) with lines lw 1 lc rgb '#777777' notitle
  unset multiplot
  unset output
}

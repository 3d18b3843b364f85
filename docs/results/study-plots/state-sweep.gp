# Longest length copied with string accuracy >= 1/2 against state bits (32 per number),
# beside Theorem 2.7's limit for that many bits: the gap is bits spent per letter copied.
set terminal pngcairo size 900,500 font ",11"
set output "state-sweep.png"
set logscale xy
set xlabel "state bits (32 x numbers)"
set ylabel "longest copied length (string acc. >= 1/2)"
set key top left
set grid
plot "state-sweep.dat" using 1:3 with linespoints title "Theorem 2.7 limit (error 1/2, 26 letters)", \
     "state-sweep.dat" using 1:($2 > 0 ? $2 : 0.5):(strstrt(strcol(4), "mamba") ? "" : strcol(4)) with labels offset 0,1 font ",8" notitle, \
     "state-sweep.dat" using 1:($2 > 0 ? $2 : 0.5):(strstrt(strcol(4), "mamba") ? strcol(4) : "") with labels offset 0,-1 font ",8" notitle, \
     "state-sweep.dat" using 1:($2 > 0 ? $2 : 0.5) with points pt 7 title "trained (0 drawn at 0.5)"

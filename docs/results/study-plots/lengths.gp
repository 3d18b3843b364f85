# String accuracy against string length (trained on 5-20), mean over seeds with the 95%
# t-interval as error bars: copy-seeds (three models) or positional (four encodings).
set terminal pngcairo size 900,500 font ",11"
# usage note below; count the blocks (one per group) before any axis range is set
stats study."-lengths.dat" using 1 nooutput
set logscale x 2
set xrange [4:200]
set yrange [-0.05:1.05]
set xlabel "string length (trained on 5-20)"
set ylabel "string accuracy (200 strings)"
set key outside right
set grid
set xtics (5,10,20,40,80,160)
# usage: gnuplot -e "study='copy-seeds'" lengths.gp   (reads study-lengths.dat)
set output study."-lengths.png"
set title study.": mean over seeds, 95% t-interval"
plot for [i=0:STATS_blocks-1] study."-lengths.dat" index i using 1:2:3:4 with yerrorlines title columnheader(1)

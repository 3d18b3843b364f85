#!/bin/bash
# Study figures from the committed results: the summaries (`copyproof study NAME --summary
# --json`) flattened to .dat files by jq, then plotted by the .gp scripts beside this file.
# usage: docs/results/study-plots/plot.sh [path/to/copyproof]   (run from the repository root)
set -euo pipefail
BIN=${1:-build/copyproof}
HERE=$(dirname "$0")
# One block per group: length, mean, low, high of string accuracy (low/high = mean when
# there is no interval, i.e. one seed).
lengths() {
  "$BIN" study "$1" --summary --json | jq -r '.groups[] | select((.finished | length) > 0) |
    "\"\(.group) (\(.finished | length) seeds)\" x x x", (.lengths[] |
    "\(.length) \(.string_accuracy.mean) \(.string_accuracy.low // .string_accuracy.mean) \(.string_accuracy.high // .string_accuracy.mean)"), "", ""'
}
lengths copy-seeds > "$HERE/copy-seeds-lengths.dat"
lengths positional > "$HERE/positional-lengths.dat"
# state sweep: state bits, longest copied length (each seed), Theorem 2.7's limit.
"$BIN" study state-sweep --summary --json | jq -r '.groups[] | select(.state_bits_32 != null) |
  "\(.state_bits_32) \(.longest_copied_length[0]) \(.bound_longest_length_32) \(.group)"' | sort -n > "$HERE/state-sweep.dat"
cd "$HERE"
for study in copy-seeds positional; do
  if [ -s "$study-lengths.dat" ]; then gnuplot -e "study='$study'" lengths.gp; fi
done
if [ -s state-sweep.dat ]; then gnuplot state-sweep.gp; fi

#!/usr/bin/env bash
# The fuzz campaign of docs/reliability.md: each libFuzzer target (tests/fuzz/) runs under
# ASan+UBSan until it has executed TARGET_EXECS inputs, one target at a time, at the lowest
# priority (the machine is shared). Resumable: run it again and it continues where the
# last run stopped (executions are summed over the logs under build-fuzz/campaign/).
#
#   scripts/fuzz-campaign.sh [TARGET...]        # default: every target, in order
#   scripts/fuzz-campaign.sh --summary          # executions, cov, ft, seconds per target
#   MAX_SECONDS=1800 scripts/fuzz-campaign.sh T # this run of T stops after 1800 s (it resumes later)
#   WORKERS=2 scripts/fuzz-campaign.sh T         # two worker processes on one working corpus
#                                                # (when nothing else needs the cores)
#
# Findings land in build-fuzz/campaign/<target>/artifacts/; each one is fixed and its input
# copied into tests/fuzz/corpus/<target>/ as a regression case (replayed by CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

TARGET_EXECS=${TARGET_EXECS:-10000000}
ALL_TARGETS=(fuzz_weights fuzz_checkpoint fuzz_json_readers fuzz_certify_weights fuzz_results_json fuzz_numeric_flags
             fuzz_copy_string fuzz_results_study)
CAMPAIGN=build-fuzz/campaign

# Inputs up to a few times the largest seed; larger ones only slow the search down.
max_len() {
  case "$1" in
    fuzz_numeric_flags) echo 256 ;;
    fuzz_copy_string) echo 1024 ;;
    # A real run's files are 5-16 KB, but every key, type and part fits in 2-3.5 KB (the
    # small-* seeds, tests/fuzz/shrink_results_seed.py); parsing is linear in the size, so
    # 4096 halves the time an input takes. Larger files stay under CI's replay (the seed-*
    # and regression-* inputs at full size); reliability.md lists the edges only they reach.
    fuzz_results_json|fuzz_results_study) echo 4096 ;;
    *) echo 16384 ;;
  esac
}

# The committed seeds: fuzz_results_study takes fuzz_results_json's inputs (one corpus).
seed_dir() {
  case "$1" in
    fuzz_results_study) echo tests/fuzz/corpus/fuzz_results_json ;;
    *) echo "tests/fuzz/corpus/$1" ;;
  esac
}

# Executions done so far: the last "#N" progress line of every log, summed (a run with
# several workers leaves one log per worker: run-R.log, or run-R-wK.log for worker K).
execs_done() {
  local total=0 n
  for log in "$CAMPAIGN/$1"/run-*.log "$CAMPAIGN/$1"/fuzz-*.log; do  # fuzz-K.log: the run in progress
    [ -f "$log" ] || continue
    n=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

# Wall seconds so far: each run's own count, or for a run that was killed, its logs' last
# write minus its start (a run with W workers used W times its wall seconds of CPU).
seconds_done() {
  local total=0 s base last
  for f in "$CAMPAIGN/$1"/run-*.start; do
    [ -f "$f" ] || continue
    base=${f%.start}
    if [ -f "$base.seconds" ]; then
      s=$(cat "$base.seconds")
    else
      # A killed run's logs, or the logs of the run in progress.
      last=$(stat -c %Y "$base".log "$base"-w*.log "$CAMPAIGN/$1"/fuzz-*.log 2>/dev/null | sort -n | tail -1 || true)
      s=$(( ${last:-$(cat "$f")} - $(cat "$f") ))
    fi
    total=$((total + s))
  done
  echo "$total"
}

# A run's worker logs fuzz-K.log (in the target's directory) renamed to run-R.log (one
# worker) or run-R-wK.log.
keep_logs() {
  local dir=$1 run=$2 log k n
  n=$(find "$dir" -maxdepth 1 -name 'fuzz-*.log' | wc -l)
  for log in "$dir"/fuzz-*.log; do
    [ -f "$log" ] || continue
    k=${log##*/fuzz-}; k=${k%.log}
    if [ "$n" -eq 1 ] && [ "$k" = 0 ]; then mv "$log" "$dir/run-$run.log"; else mv "$log" "$dir/run-$run-w$k.log"; fi
  done
}

summary() {
  printf '%-22s %12s %8s %8s %9s %s\n' target executions cov ft seconds findings
  for t in "${ALL_TARGETS[@]}"; do
    local last cov ft findings
    last=$(cat "$CAMPAIGN/$t"/run-*.log "$CAMPAIGN/$t"/fuzz-0.log 2>/dev/null | grep -aE '^#[0-9]+.*cov:' | tail -1 || true)
    cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | cut -d' ' -f2 || true)
    ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | cut -d' ' -f2 || true)
    findings=$( (find "$CAMPAIGN/$t/artifacts" -type f 2>/dev/null || true) | wc -l)
    printf '%-22s %12s %8s %8s %9s %s\n' "$t" "$(execs_done "$t")" "${cov:--}" "${ft:--}" "$(seconds_done "$t")" "$findings"
  done
}

if [ "${1:-}" = "--summary" ]; then
  summary
  exit 0
fi

# The libFuzzer build: clang, ASan+UBSan, coverage instrumentation in every library.
export CCACHE_DIR=${CCACHE_DIR:-/work/ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD/..}
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O2 -g1" -DCOPYPROOF_FUZZ=ON -DCOPYPROOF_SANITIZE=ON \
    -DCOPYPROOF_CUDA=OFF -DCOPYPROOF_BENCH=OFF -DCOPYPROOF_NATIVE=OFF \
    $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null
fi

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")
# SKIP_BUILD=1: the binaries are built already (e.g. another target is still building in the same tree).
[ -n "${SKIP_BUILD:-}" ] || nice -n 19 cmake --build "${FUZZ_BUILD:-build-fuzz}" -j"${JOBS:-2}" --target "${targets[@]}"

for t in "${targets[@]}"; do
  dir=$CAMPAIGN/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  done_execs=$(execs_done "$t")
  if [ "$done_execs" -ge "$TARGET_EXECS" ]; then
    echo "$t: $done_execs executions already, done"
    continue
  fi
  # A run killed before it finished (the session ended) left its workers' logs behind.
  keep_logs "$dir" "$(find "$dir" -maxdepth 1 -name 'run-*.start' | wc -l | awk '{print $1 - 1}')"
  done_execs=$(execs_done "$t")
  run=$(find "$dir" -maxdepth 1 -name 'run-*.start' | wc -l)
  echo "$t: $done_execs executions so far; run $run for $((TARGET_EXECS - done_execs)) more"
  start=$(date +%s)
  echo "$start" >"$dir/run-$run.start"
  # -jobs=W -workers=W: W worker processes (default 1, so a shared machine sees one core's
  # load at most), each with its share of the runs left; libFuzzer writes worker K's output
  # to fuzz-K.log in the working directory ($dir), and the workers share the working corpus.
  workers=${WORKERS:-1}
  # The working corpus ($dir/corpus) grows; the seeds in tests/fuzz/corpus stay as committed.
  # malloc_limit_mb: an allocation above 1 GiB from a small input is a finding (bad input
  # must be refused before any large allocation).
  # timeout: libFuzzer measures an input's time on the wall clock, so a SIGSTOP of a few
  # minutes (the lead's quiet timings) made a 28 ms input a "timeout after 497 s"; 1200 s
  # survives such a pause and still catches a real hang (slow inputs show in the log's
  # slowest_unit_time_sec).
  (
    cd "$dir"
    # malloc_context_size=0: ASan stops recording a stack trace at every allocation (a tenth
    # of the result targets' time); it detects exactly as before, and a finding's input is
    # rerun with the default options for its allocation and free stacks.
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0:malloc_context_size=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    nice -n 19 "$root/${FUZZ_BUILD:-build-fuzz}/$t" -jobs="$workers" -workers="$workers" \
      -runs=$(( (TARGET_EXECS - done_execs + workers - 1) / workers )) ${MAX_SECONDS:+-max_total_time=$MAX_SECONDS} -max_len="$(max_len "$t")" -timeout="${FUZZ_TIMEOUT:-1200}" \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="$root/$dir/artifacts/" "$root/$dir/corpus" "$root/$(seed_dir "$t")" >/dev/null 2>&1
  ) || echo "$t: run $run stopped (rc $?): see $dir/run-$run.log"
  keep_logs "$dir" "$run"
  echo $(( $(date +%s) - start )) >"$dir/run-$run.seconds"
done
summary

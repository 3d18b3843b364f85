#!/usr/bin/env bash
# The GPU check, prepared to run once on a machine with an NVIDIA GPU (at most 9 minutes):
#   1. builds copyproof with CUDA (sm_90, Ninja where the image has it),
#   2. the GPU tests: GPU = CPU at lengths around the tile sizes (tests/gpu/), the CPU
#      emulation of the kernel, and compute-sanitizer memcheck on a small verify,
#   3. the `verify` JSON of B(4, 8) (L = 65,543) on CPU and GPU,
#   4. de Bruijn B(2, 20) (1,048,595 tokens), then B(4, 12) (16,777,227 tokens) only if the
#      B(2, 20) rate says it fits: no rate, no run (fail closed),
#   5. SASS instruction counts of the hot loop, and layer 2 against the card's dense peak
#      and PyTorch SDPA on the same shapes, measured in the same run,
# and prints a short table last. Every step runs under its own time guard (timeout).
#
# What comes back is 3 files in $OUT (the device tool returns at most 8): summary.json (one
# row per step), gpu_check.log (everything printed), results.tar.gz (every step's own log
# and JSON). Where the machine lacks the Debian header libraries, run bench/gpu_deps.sh
# first here and carry .deps (docs/gpu.md).
#
#   bash bench/gpu_check.sh              # on the GPU machine
#   bash bench/gpu_check.sh --dry-run    # anywhere: each step, its command and time guard
#   bash bench/gpu_check.sh --estimate-b4-12 B2_20.json   # the B(4,12) guard's estimate alone
set -uo pipefail
cd "$(dirname "$0")/.."

budget=${GPU_CHECK_BUDGET_S:-540}  # the device tool kills a command at 600 s
dry_run=0
case "${1:-}" in
  --dry-run) dry_run=1 ;;
  --estimate-b4-12) ;;
  "") ;;
  *) echo "usage: bench/gpu_check.sh [--dry-run | --estimate-b4-12 B2_20.json]" >&2; exit 2 ;;
esac

# Layer-2 query-key pairs of de Bruijn B(D, n), as the verifier counts them: output r
# (r = 0 .. L) sits at position L + 1 + r and sees keys 0 .. L + 1 + r, so
# sum_r (L + 2 + r) = (L + 1)(L + 2) + L (L + 1) / 2 with L = D^n + n - 1. B(4,12): 4.22e14.
pairs_of() { python3 -c "D, n = $1, $2; L = D**n + n - 1; print((L + 1) * (L + 2) + L * (L + 1) // 2)"; }

# Seconds B(4, 12) would take at B(2, 20)'s measured speed: layer 2 scaled by pairs, the rest
# (layer 1, rounding, host finish, reference copier: O(L)) scaled by length, plus 30 s.
# Prints nothing and fails when the JSON is missing or holds no usable rate: fail closed.
estimate_b4_12() {
  [ -s "$1" ] || return 1
  python3 - "$1" "$(pairs_of 4 12)" <<'PY'
import json, math, sys
try:
    r = json.load(open(sys.argv[1]))
    pairs, l2, total, length = float(r["pairs"]), float(r["layer2_seconds"]), float(r["seconds"]), float(r["length"])
except (OSError, ValueError, KeyError, TypeError):
    sys.exit(1)
if not (pairs > 0 and l2 > 0 and total >= l2 and length > 0) or not all(map(math.isfinite, (pairs, l2, total))):
    sys.exit(1)
target_pairs, target_length = float(sys.argv[2]), 4**12 + 11
print(math.ceil(l2 * target_pairs / pairs + (total - l2) * target_length / length + 30))
PY
}

if [ "${1:-}" = --estimate-b4-12 ]; then
  estimate_b4_12 "${2:-}" || { echo "no estimate: ${2:-(none)} holds no usable B(2,20) rate" >&2; exit 1; }
  exit 0
fi

out=${OUT:-/tmp/gpu_check}
work=$(mktemp -d /tmp/gpu_check_work.XXXXXX)
mkdir -p "$out"
exec > >(tee "$out/gpu_check.log") 2>&1
started=$(date +%s)
elapsed() { echo $(( $(date +%s) - started )); }
threads=$(nproc)
rows=()  # name|status|seconds|detail, for the table and summary.json
failed=0

# Bundles the step files and writes summary.json, whatever happened.
finish() {
  python3 - "$out/summary.json" "$dry_run" "$(elapsed)" "$budget" "${rows[@]}" <<'PY'
import json, sys
path, dry, seconds, budget, rows = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
steps = [dict(zip(("step", "status", "seconds", "detail"), r.split("|", 3))) for r in rows]
ok = all(s["status"] in ("PASS", "DRY-RUN", "SKIPPED") for s in steps)
json.dump({"dry_run": dry, "seconds": seconds, "budget_seconds": budget, "pass": ok, "steps": steps},
          open(path + ".tmp", "w"), indent=1)
PY
  mv "$out/summary.json.tmp" "$out/summary.json"
  tar -czf "$out/results.tar.gz.tmp" -C "$work" . && mv "$out/results.tar.gz.tmp" "$out/results.tar.gz"
  echo
  echo "== gpu_check summary ($(elapsed) s of $budget)"
  for r in "${rows[@]}"; do IFS='|' read -r name status secs detail <<<"$r"; printf '%-28s %-8s %5s s  %s\n' "$name" "$status" "$secs" "$detail"; done
  rm -rf "$work"
}
trap finish EXIT

record() { rows+=("$1|$2|$3|$4"); [ "$2" = FAIL ] && failed=1; return 0; }

# step NAME GUARD_S [--stdout FILE] COMMAND...: runs COMMAND under `timeout GUARD_S`, output
# to $work/NAME.log (stdout to FILE if given), unless the guard no longer fits the budget.
# Returns the command's status.
step() {
  local name=$1 guard=$2 stdout=; shift 2
  if [ "$1" = --stdout ]; then stdout=$2; shift 2; fi
  local left=$(( budget - $(elapsed) ))
  echo "-- $name: guard ${guard} s, ${left} s of the budget left: $*${stdout:+ > $stdout}"
  if [ "$dry_run" = 1 ]; then record "$name" DRY-RUN 0 "guard ${guard} s: $*"; return 0; fi
  if [ "$guard" -gt "$left" ]; then record "$name" SKIPPED 0 "guard ${guard} s > ${left} s left"; return 1; fi
  local t0=$(date +%s) status
  if [ -n "$stdout" ]; then timeout --kill-after=5 "$guard" "$@" >"$stdout" 2>"$work/$name.log"
  else timeout --kill-after=5 "$guard" "$@" >"$work/$name.log" 2>&1; fi
  status=$?
  local secs=$(( $(date +%s) - t0 ))
  if [ $status -eq 0 ]; then record "$name" PASS "$secs" ""
  elif [ $status -eq 124 ] || [ $status -eq 137 ]; then record "$name" FAIL "$secs" "killed by its ${guard} s guard"
  else record "$name" FAIL "$secs" "exit $status: $(tail -c 300 "$work/$name.log" | tr '\n|' '  ')"; fi
  return $status
}

if [ "$dry_run" = 0 ]; then
  command -v nvidia-smi >/dev/null || { record gpu FAIL 0 "no nvidia-smi: not a GPU machine (use --dry-run)"; exit 1; }
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader | tee "$work/gpu.txt"
fi

# 1. Build. The image has CMake and Ninja (make is not promised); headers from .deps if carried.
# GPU_CHECK_PREBUILT=DIR: copyproof, test_gpu_backend and test_gpu_logic were built on the
# development machine (same sources, sm_90) and carried in DIR; used when they start here,
# which saves the device minutes of a build. Otherwise, or if they do not start, build here.
bin=build-gpu
prebuilt=${GPU_CHECK_PREBUILT:-}
if [ -n "$prebuilt" ] && [ "$dry_run" = 0 ] && LD_LIBRARY_PATH="$PWD/$prebuilt${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
     "$prebuilt/copyproof" --version >"$work/prebuilt.log" 2>&1; then
  bin=$prebuilt
  export LD_LIBRARY_PATH="$PWD/$prebuilt${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"  # libgomp, if carried
  record build PASS 0 "prebuilt: $(head -1 "$work/prebuilt.log")"
else
  [ -n "$prebuilt" ] && echo "-- prebuilt $prebuilt does not start here: building"
  generator="Unix Makefiles"
  command -v ninja >/dev/null && generator=Ninja
  prefix=()
  [ -d .deps/usr ] && prefix=(-DCMAKE_PREFIX_PATH="$PWD/.deps/usr")
  step configure 120 cmake -S . -B build-gpu -G "$generator" -DCMAKE_BUILD_TYPE=Release -DCOPYPROOF_BENCH=OFF \
    -DCOPYPROOF_CUDA=ON "${prefix[@]}" || exit 1
  if [ "$dry_run" = 0 ] && ! grep -q "GPU path ON" "$work/configure.log"; then
    record cuda FAIL 0 "configure found no CUDA compiler"; exit 1
  fi
  step build 300 cmake --build build-gpu -j"$threads" --target copyproof test_gpu_backend \
    test_gpu_logic || exit 1
fi

# 2. Tests: the GPU against the CPU paths; the kernel's emulation; memory errors.
step test_gpu_backend 150 ./$bin/test_gpu_backend
step test_emulation 60 ./$bin/test_gpu_logic
step memcheck 120 compute-sanitizer --tool memcheck --error-exitcode 9 ./$bin/copyproof verify -D 2 -n 6 \
  -L 300 --samples 2 --device gpu --json

# 3. The same report on both devices at L = 65,543.
step b4_8_cpu 90 --stdout "$work/b4_8_cpu.json" ./$bin/copyproof verify -D 4 -n 8 --source debruijn \
  --threads "$threads" --json
step b4_8_gpu 60 --stdout "$work/b4_8_gpu.json" ./$bin/copyproof verify -D 4 -n 8 --source debruijn \
  --device gpu --threads "$threads" --json
step b4_8_same 10 python3 - "$work/b4_8_cpu.json" "$work/b4_8_gpu.json" <<'PY'
import json, sys
cpu, gpu = (json.load(open(p)) for p in sys.argv[1:3])
keys = ("strings_copied", "violations", "disagreements", "unique_match_positions")
print({k: (cpu[k], gpu[k]) for k in keys}, "mass", cpu["min_match_mass"], gpu["min_match_mass"])
sys.exit(0 if all(cpu[k] == gpu[k] for k in keys) and gpu["pass"] else 1)
PY

# 4. Exponential lengths. B(4,12) only under an estimate from B(2,20)'s measured rate.
step b2_20 150 --stdout "$work/b2_20.json" ./$bin/copyproof verify -D 2 -n 20 --source debruijn \
  --device gpu --threads "$threads" --json
if [ "$dry_run" = 1 ]; then
  echo "-- b4_12: guard = estimate from b2_20.json (layer 2 scaled by $(pairs_of 4 12) pairs); no estimate: stop"
  record b4_12 DRY-RUN 0 "guard: estimate from b2_20.json; missing or unusable estimate stops the check"
elif estimate=$(estimate_b4_12 "$work/b2_20.json"); then
  step b4_12 "$estimate" --stdout "$work/b4_12.json" ./$bin/copyproof verify -D 4 -n 12 \
    --source debruijn --device gpu --threads "$threads" --json
else
  record b4_12 FAIL 0 "no estimate from b2_20.json: not run (fail closed)"
  exit 1
fi

# 5. The hot loop's SASS, and same-run references: dense peak, PyTorch SDPA on the same shapes.
# The kernel B(4,12) runs, out of the build's object: its instantiation <P, d_v> (P the padded
# layer-2 d_k) as the binary computes them (construct --json), not restated here.
kernel_of() {
  "./$bin/copyproof" construct --alphabet "$1" --ngram "$2" --max-length 1 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
print("level_attention_kernelILi%dELi%dE %d" % (j["layer2_int8_key_width"], j["code_bits"], j["layer2_int8_k_steps"]))'
}
if [ "$bin" = build-gpu ]; then sass_source=$(find build-gpu -name level_attention.cu.o 2>/dev/null | head -1); else sass_source=$bin/copyproof; fi
step sass_dump 60 --stdout "$work/level_attention.sass" cuobjdump -sass "$sass_source"
if [ "$dry_run" = 1 ]; then kernel="(copyproof construct --json: layer2_int8_key_width, code_bits)" steps="(layer2_int8_k_steps)"
else read -r kernel steps < <(kernel_of 4 12) || { kernel=level_attention_kernel_unknown steps=1; }; fi
step sass 10 python3 bench/gpu_sass_count.py "$work/level_attention.sass" --function "$kernel" --steps "$steps"
step reference 150 --stdout "$work/reference.json" python3 bench/gpu_reference.py --lengths 65543,1048595

[ "$dry_run" = 1 ] && echo "dry run: no command was run"
exit $failed

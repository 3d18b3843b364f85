#!/usr/bin/env bash
# The GPU check, prepared to run once on a machine with an NVIDIA GPU (about 8 minutes):
#   1. builds copyproof with CUDA (sm_90),
#   2. checks the GPU path against the CPU paths at several lengths, tile edges included
#      (tests/gpu/test_gpu_backend.cpp), and runs compute-sanitizer on a small case,
#   3. compares `verify` JSON on CPU and GPU for B(4, 8) (L = 65,543),
#   4. verifies de Bruijn B(2, 20) (1,048,595 tokens) and, if the measured speed says it fits
#      the budget, B(4, 12) (16,777,227 tokens) end to end,
#   5. times layer 2 against the card's dense peak and PyTorch SDPA measured in the same run,
# and prints a short table last. Full logs go to $OUT (or /tmp/gpu_check).
#
# Where the machine lacks the Debian header libraries, run bench/gpu_deps.sh first on a
# machine that has them and carry .deps along (docs/gpu.md).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu_check}
mkdir -p "$out"
budget=${GPU_CHECK_BUDGET_S:-480}
started=$(date +%s)
elapsed() { echo $(( $(date +%s) - started )); }
threads=$(nproc)
table=()
row() { table+=("$(printf '%-44s %s' "$1" "$2")"); }

nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"

[ -d .deps/usr ] && export CMAKE_PREFIX_PATH="$PWD/.deps/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
if ! cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DCOPYPROOF_BENCH=OFF >"$out/configure.log" 2>&1; then
  tail -20 "$out/configure.log"; echo "configure FAILED"; exit 1
fi
grep -q "GPU path ON" "$out/configure.log" || { echo "configure: no CUDA compiler found"; exit 1; }
if ! cmake --build build-gpu -j"$threads" --target test_gpu_backend copyproof >"$out/build.log" 2>&1; then
  grep -E "error" "$out/build.log" | head -20; echo "build FAILED"; exit 1
fi
row "build (s)" "$(elapsed)"

# 2. GPU = CPU on every position, lengths around the tile sizes.
if ./build-gpu/test_gpu_backend >"$out/test_gpu_backend.log" 2>&1; then row "GPU vs CPU, L = 1 .. 4099" "PASS"
else row "GPU vs CPU, L = 1 .. 4099" "FAIL (test_gpu_backend.log)"; tail -30 "$out/test_gpu_backend.log"; fi
if command -v compute-sanitizer >/dev/null; then
  if compute-sanitizer --tool memcheck --error-exitcode 9 ./build-gpu/copyproof verify -D 2 -n 6 -L 300 --samples 2 \
       --device gpu --json >"$out/sanitizer.log" 2>&1; then row "compute-sanitizer memcheck" "clean"
  else row "compute-sanitizer memcheck" "ERRORS (sanitizer.log)"; fi
else row "compute-sanitizer memcheck" "not available"; fi

# 3. The same JSON on both devices at L = 65,543.
./build-gpu/copyproof verify -D 4 -n 8 --source debruijn --threads "$threads" --json >"$out/b4_8_cpu.json"
./build-gpu/copyproof verify -D 4 -n 8 --source debruijn --device gpu --threads "$threads" --json >"$out/b4_8_gpu.json"
row "B(4,8) cpu / gpu" "$(python3 - "$out/b4_8_cpu.json" "$out/b4_8_gpu.json" <<'PY'
import json, sys
cpu, gpu = (json.load(open(p)) for p in sys.argv[1:3])
same = all(cpu[k] == gpu[k] for k in ("strings_copied", "violations", "disagreements", "unique_match_positions"))
print(f"{'PASS' if same and gpu['pass'] else 'FAIL'}: mass {cpu['min_match_mass']:.6f} / {gpu['min_match_mass']:.6f}, "
      f"{cpu['seconds']:.1f} s / {gpu['seconds']:.1f} s")
PY
)"

# 4. Exponential lengths.
./build-gpu/copyproof verify -D 2 -n 20 --source debruijn --device gpu --threads "$threads" --json >"$out/b2_20.json"
summary() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rate = r["pairs"] / r["layer2_seconds"] if r["layer2_seconds"] else 0
print(f"{'PASS' if r['pass'] and r['strings_copied'] == 1 else 'FAIL'}: L={r['length']} {r['seconds']:.1f} s "
      f"(layer 2 {r['layer2_seconds']:.1f} s, {rate:.3g} pairs/s), mass {r['min_match_mass']:.6f}, "
      f"uncertified {r['uncertified_predictions']}")
PY
}
row "B(2,20) verify" "$(summary "$out/b2_20.json")"
rate=$(python3 -c "import json; r=json.load(open('$out/b2_20.json')); print(r['pairs']/max(r['layer2_seconds'],1e-9))")
estimate=$(python3 -c "print(int(4.2e14 / $rate) + 30)")  # B(4,12): 4.2e14 layer-2 pairs
if [ $(( $(elapsed) + estimate + 90 )) -lt "$budget" ]; then
  ./build-gpu/copyproof verify -D 4 -n 12 --source debruijn --device gpu --threads "$threads" --json >"$out/b4_12.json"
  row "B(4,12) verify" "$(summary "$out/b4_12.json")"
else
  row "B(4,12) verify" "SKIPPED: about ${estimate} s at the B(2,20) rate, over the budget"
fi

# 5. Same-run references: dense peak, PyTorch SDPA on the same shapes.
python3 bench/gpu_reference.py --lengths 65543,1048595 >"$out/reference.json" 2>"$out/reference.log"
row "references" "$(python3 - "$out/reference.json" "$out/b2_20.json" <<'PY'
import json, math, sys
ref, ours = (json.load(open(p)) for p in sys.argv[1:3])
if not ref.get("torch"):
    print("torch not importable: no peak, no SDPA"); sys.exit()
b = math.ceil(math.log2(ours["alphabet"] + 1))
d_k, d_v = ours["ngram"] * b + 1, b
padded = math.ceil(d_k / 32) * 32
rate = ours["pairs"] / ours["layer2_seconds"]
useful = rate * 2 * (d_k + d_v) / 1e12             # TFLOP/s counting 2 (d_k + d_v) per pair
tensor = rate * 2 * padded / 1e12                   # int8 tensor-core TOP/s actually issued
sdpa = {r["length"]: r for r in ref["sdpa"]}.get(ours["length"], {})
versus = rate / sdpa["pairs_per_second"] if "pairs_per_second" in sdpa else float("nan")
print(f"layer 2 at L={ours['length']}: {useful:.1f} TFLOP/s useful, {tensor:.0f} int8 TOP/s issued "
      f"(peak bf16 {ref['bf16_dense_tflops']:.0f}, int8 {ref.get('int8_dense_tops', float('nan')):.0f}); "
      f"SDPA {sdpa.get('pairs_per_second', float('nan')):.3g} pairs/s, ours/SDPA = {versus:.2f}")
PY
)"

echo
echo "== gpu_check summary ($(elapsed) s, $(cat "$out/gpu.txt"))"
printf '%s\n' "${table[@]}"

#!/usr/bin/env bash
# bench/gpu_check.sh without a GPU: the dry run lists every step with its time guard and
# returns at most 8 files (the device tool's limit); the B(4,12) guard fails closed on a
# missing or unusable B(2,20) report and estimates from a usable one.
set -uo pipefail
src=$(cd "${1:?source dir}" && pwd)
work=${2:?work dir}
rm -rf "$work" && mkdir -p "$work/out"
fail() { echo "FAIL: $*"; exit 1; }

OUT="$work/out" bash "$src/bench/gpu_check.sh" --dry-run >"$work/dry.log" 2>&1 || fail "dry run exited $?"
files=$(find "$work/out" -type f | wc -l)
[ "$files" -le 8 ] || fail "dry run left $files files (at most 8 come back)"
python3 - "$work/out/summary.json" <<'PY' || fail "summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["dry_run"] is True, s
names = [x["step"] for x in s["steps"]]
for need in ("configure", "build", "test_gpu_backend", "memcheck", "b2_20", "b4_12", "sass", "reference"):
    assert need in names, (need, names)
for x in s["steps"]:
    assert x["status"] == "DRY-RUN" and "guard" in x["detail"], x
PY
grep -q "no estimate: stop" "$work/dry.log" || fail "the dry run does not show the B(4,12) guard"

est() { bash "$src/bench/gpu_check.sh" --estimate-b4-12 "$1" 2>/dev/null; }
est "$work/none.json" && fail "estimate from a missing report"
echo '{"pairs": 1650000000000, "layer2_seconds": 0, "seconds": 4, "length": 1048595}' >"$work/zero.json"
est "$work/zero.json" && fail "estimate from a zero layer-2 time"
echo '{"pairs": 1650000000000}' >"$work/partial.json"
est "$work/partial.json" && fail "estimate from a report without times"
# 1.65e12 pairs in 2 s of layer 2, 2 s of the rest at L = 1,048,595: 4.22e14 pairs -> 512 s,
# 16x the length -> 32 s, plus 30 s.
echo '{"pairs": 1650000000000, "layer2_seconds": 2, "seconds": 4, "length": 1048595}' >"$work/ok.json"
got=$(est "$work/ok.json") || fail "no estimate from a usable report"
[ "$got" -ge 570 ] && [ "$got" -le 576 ] || fail "estimate $got s, expected about 574"
echo "gpu_check dry run: $files files, every step guarded; B(4,12) guard fails closed; estimate $got s"

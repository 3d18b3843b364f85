#!/bin/bash
# The independent checker (scripts/check_certificate.py) on a fresh construct + certify:
# PASS; FAIL once one weight in the file is changed (the certificate's claims no longer
# follow from the weights), and FAIL when the certificate's numbers are edited.
# Usage: check_certificate_test.sh COPYPROOF_BINARY SCRIPT
set -u
bin=$1 script=$2
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
fail() { echo "check_certificate_test: $*"; exit 1; }

for args in "-D 4 -n 3 -L 1000 --precision exact" "-D 5 -n 4 -L 1e6 --precision fp32" \
            "-D 4 -n 3 -L 10 --precision bf16" "-D 4 -n 3 -L 1000 --precision int8"; do
  read -r _ D _ n _ L _ P <<<"$args"
  "$bin" construct -D "$D" -n "$n" -L "$L" --weights "$dir/w.safetensors" >/dev/null || fail "construct $args"
  "$bin" certify --weights "$dir/w.safetensors" --precision "$P" --out "$dir/c.json" >/dev/null || fail "certify $args"
  out=$(python3 "$script" "$dir/w.safetensors" "$dir/c.json"); rc=$?
  echo "$args: $out"
  [ $rc -eq 0 ] && [[ $out == PASS* ]] || fail "expected PASS for $args"
done

# One weight changed: a layer-2 query entry (one lambda_c) scaled by 0.999.
python3 - "$dir/w.safetensors" <<'PY' || fail "tampering"
import json, struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
(n,) = struct.unpack("<Q", data[:8])
start, end = json.loads(data[8:8 + n])["layers.1.heads.0.query"]["data_offsets"]
for at in range(8 + n + start, 8 + n + end, 8):
    (v,) = struct.unpack("<d", data[at:at + 8])
    if v != 0:
        data[at:at + 8] = struct.pack("<d", v * 0.999)
        break
open(path, "wb").write(bytes(data))
PY
out=$(python3 "$script" "$dir/w.safetensors" "$dir/c.json"); rc=$?
echo "tampered weights: $out"
[ $rc -eq 1 ] && [[ $out == FAIL* ]] || fail "expected FAIL on a changed weight"

# A certificate whose claimed numbers were edited (the weights are fresh again).
"$bin" construct -D 4 -n 3 -L 1000 --weights "$dir/w.safetensors" >/dev/null
"$bin" certify --weights "$dir/w.safetensors" --out "$dir/c.json" >/dev/null
python3 -c "
import json, sys
c = json.load(open('$dir/c.json'))
q = [q for q in c['inequalities'] if q['name'] == 'layer2.matched_mass'][0]
q['rhs'] = 0.99999
json.dump(c, open('$dir/c.json', 'w'))
"
out=$(python3 "$script" "$dir/w.safetensors" "$dir/c.json"); rc=$?
echo "edited certificate: $out"
[ $rc -eq 1 ] && [[ $out == FAIL* ]] || fail "expected FAIL on an edited claim"
echo "check_certificate_test: all good"

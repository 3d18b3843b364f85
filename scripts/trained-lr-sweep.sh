#!/usr/bin/env bash
# The learning-rate sweep behind the defaults of `copyproof train` (docs/trained.md).
# The same procedure for every model: peak LR in {1e-3, 3e-3, 1e-2, 3e-2}, a run of
# STEPS steps (same batch, seed and data for all), then greedy eval on 200 fresh strings
# of the longest training length. The pick: highest string accuracy, then token accuracy,
# then lowest final training loss.
# Usage: scripts/trained-lr-sweep.sh [BUILD_DIR] [STEPS] [MODELS...]
set -euo pipefail
build=${1:-build}
steps=${2:-3000}
shift $(( $# > 2 ? 2 : $# ))
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(transformer mamba lstm)
out=$(mktemp -d)
printf "model\tlr\tstring_accuracy@20\ttoken_accuracy@20\tfinal_loss\tseconds\n"
for model in "${models[@]}"; do
  for lr in 1e-3 3e-3 1e-2 3e-2; do
    "$build/copyproof" train --model "$model" --task copy --lr "$lr" --steps "$steps" --eval-every "$steps" \
      --eval-samples 200 --threads 1 --seed 1 --json --out "$out/$model-$lr.safetensors" > "$out/$model-$lr.json"
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); e=r["eval"]
print("%s\t%s\t%.3f\t%.3f\t%.4f\t%.0f" % (r["model"], sys.argv[2], e["string_accuracy"], e["token_accuracy"], r["final_loss"], r["seconds"]))' \
      "$out/$model-$lr.json" "$lr"
  done
done
rm -rf "$out"

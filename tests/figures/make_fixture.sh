#!/usr/bin/env bash
# Regenerates tests/figures/fixtures/copy-seeds-5k/ (the study the trained figures draw): REAL tiny trainings (200 steps) in the
# layout of docs/results/data (docs/results.md), for the trained figures' tests. Not run
# by CI (the fixture is committed); takes about a minute on 2 cores.
#   tests/figures/make_fixture.sh [path/to/copyproof]
set -euo pipefail
bin=${1:-build/copyproof}
out=tests/figures/fixtures/copy-seeds-5k
rm -rf "$out"
for model in transformer mamba lstm; do
  for seed in 1 2; do
    run=$model-seed$seed
    dir=$out/$run
    mkdir -p "$dir"
    ckpt=$(mktemp -d)/model.safetensors
    train=$("$bin" train --model "$model" --task copy --steps 200 --eval-every 50 --eval-samples 16 \
      --seed "$seed" --threads 2 --out "$ckpt" --log "$dir/train.jsonl" --json)
    pos=""
    if [ "$model" = transformer ]; then pos=', "pos": "hard-alibi"'; fi
    printf '{"study": "copy-seeds-5k", "run": "%s", "model": "%s", "seed": %s%s, "train": %s}\n' \
      "$run" "$model" "$seed" "$pos" "$train" > "$dir/config.json"
    "$bin" eval --checkpoint "$ckpt" --lengths 5,10,20,40,80,160 --samples 16 --threads 2 --json > "$dir/eval.json"
    results=""
    for n in 2 4 6; do
      r=$("$bin" eval --checkpoint "$ckpt" --task dup --ngram "$n" --lengths 20 --samples 16 --threads 2 --json)
      results="$results${results:+, }$r"
    done
    printf '{"results": [%s]}\n' "$results" > "$dir/eval-dup.json"
    rm -rf "$(dirname "$ckpt")"
  done
done

# state-sweep-bound reads the state-sweep study through its summary, which needs the
# study's own run names: three committed runs of docs/results/data/state-sweep (real
# `copyproof study state-sweep` outputs, copied unchanged): a model copying no length, one
# copying 3 letters, and a Mamba.
rm -rf tests/figures/fixtures/state-sweep
mkdir -p tests/figures/fixtures/state-sweep
for run in lstm-h2-s1 lstm-h32-s1 mamba-w4-n1-s1; do
  cp -r "docs/results/data/state-sweep/$run" tests/figures/fixtures/state-sweep/
done

# state-sweep-small-bound reads the state-sweep-small study the same way (over 4 letters):
# three committed runs of docs/results/data/state-sweep-small, copied unchanged: the smallest
# LSTM (copies no length), one copying 4 letters, and the smallest Mamba.
rm -rf tests/figures/fixtures/state-sweep-small
mkdir -p tests/figures/fixtures/state-sweep-small
for run in lstm-h2-s1 lstm-h8-s1 mamba-w2-n1-s1; do
  cp -r "docs/results/data/state-sweep-small/$run" tests/figures/fixtures/state-sweep-small/
done

# positional-length-generalization reads the positional study: seed 1 of NoPE and RoPE, real
# `copyproof study positional` outputs copied unchanged from docs/results/data/positional.
rm -rf tests/figures/fixtures/positional
mkdir -p tests/figures/fixtures/positional
for run in nope-s1 rope-s1; do
  cp -r "docs/results/data/positional/$run" tests/figures/fixtures/positional/
done

# sample-efficiency and lookup read their studies' layouts: REAL tiny trainings (30 steps,
# batch 8, one seed per model) with the studies' task and length flags, written as
# `copyproof study` writes them (config.json, train.jsonl, eval.json).
tiny_run() {  # study run model task "train flags" "eval lengths"
  local study=$1 run=$2 model=$3 task=$4 flags=$5 lengths=$6
  local dir=tests/figures/fixtures/$study/$run ckpt
  mkdir -p "$dir"
  ckpt=$(mktemp -d)/model.safetensors
  # shellcheck disable=SC2086 # flags is a list of words
  train=$("$bin" train --model "$model" --task "$task" $flags --steps 30 --batch 8 --eval-every 10 \
    --eval-samples 8 --seed 1 --threads 2 --out "$ckpt" --log "$dir/train.jsonl" --json)
  pos=""
  if [ "$model" = transformer ]; then pos=', "pos": "hard-alibi"'; fi
  printf '{"study": "%s", "run": "%s", "model": "%s", "seed": 1%s, "train": %s}\n' \
    "$study" "$run" "$model" "$pos" "$train" > "$dir/config.json"
  "$bin" eval --checkpoint "$ckpt" --task "$task" --lengths "$lengths" --samples 8 --threads 2 --json > "$dir/eval.json"
  rm -rf "$(dirname "$ckpt")"
}
rm -rf tests/figures/fixtures/sample-efficiency tests/figures/fixtures/lookup
for model in transformer mamba lstm; do
  tiny_run sample-efficiency "$model-s1" "$model" copy "--min-length 5 --max-length 50" 10,50
  for task in suffix prefix; do
    tiny_run lookup "$task-$model-s1" "$model" "$task" "" 5,10,20
  done
done

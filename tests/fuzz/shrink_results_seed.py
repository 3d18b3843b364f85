#!/usr/bin/env python3
"""A small copy of a fuzz_results_json seed (one run's six files, NUL-separated), for the
campaign's -max_len (docs/reliability.md): every part keeps its keys and types, JSON is
written compact, every array keeps its first KEEP entries, and train.jsonl keeps its first
two lines, its first two evaluation lines and its last line. Parts that are not JSON are
kept as they are.

    tests/fuzz/shrink_results_seed.py SEED OUT
"""
import json
import sys

KEEP = 3


def shrink(value):
    if isinstance(value, list):
        return [shrink(v) for v in value[:KEEP]]
    if isinstance(value, dict):
        return {k: shrink(v) for k, v in value.items()}
    return value


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


def shrink_part(index, part):
    if index == 2:  # train.jsonl, one object a line
        lines = [l for l in part.split(b"\n") if l]
        evals = [l for l in lines if b'"eval"' in l]
        keep = lines[:2] + evals[:2] + lines[-1:]
        return b"\n".join(dict.fromkeys(keep)) + (b"\n" if keep else b"")
    try:
        return compact(shrink(json.loads(part)))
    except ValueError:
        return part


def main():
    seed, out = sys.argv[1:3]
    parts = open(seed, "rb").read().split(b"\0")
    small = b"\0".join(shrink_part(i, p) for i, p in enumerate(parts))
    open(out, "wb").write(small)
    print(f"{seed}: {sum(map(len, parts))} -> {len(small)} bytes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The tables of docs/trained.md, printed from the study summaries.

Every number comes from `copyproof study NAME --summary --json`, which reads the committed
result files under docs/results/data/<study>/<run>/ (and, for the per-seed rows, those
files directly); nothing is typed by hand.
usage (from the repository root):
  scripts/study-tables.py [path/to/copyproof] [STUDY...]      print the tables
  scripts/study-tables.py [path/to/copyproof] --fill FILE     replace each block
      <!-- begin tables:STUDY --> ... <!-- end tables:STUDY --> of FILE with STUDY's tables
"""
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stdout

args = sys.argv[1:]
BIN = args.pop(0) if args and not args[0].startswith("--") else "build/copyproof"
FILL = None
if args and args[0] == "--fill":
    FILL = args[1]
    args = []
ONLY = args


def summary(study):
    out = subprocess.run([BIN, "study", study, "--summary", "--json"], capture_output=True, text=True)
    if out.returncode not in (0, 1):  # 1: a bound violated, still printed (and shown below)
        sys.exit(f"study-tables: {study}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, float) and abs(x) >= 1000:
        return f"{x:,.0f}"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:.{digits}f}"


def mi(m, digits=3):
    """mean [low, high] of a {n, mean, low, high} object; the mean alone with one seed."""
    if m is None or m.get("n", 0) == 0:
        return "-"
    s = fmt(m["mean"], digits)
    if m.get("low") is not None:
        s += f" [{fmt(m['low'], digits)}, {fmt(m['high'], digits)}]"
    return s


def examples(e):
    if e["reached"] == 0:
        return f"never (0/{e['runs']})"
    s = f"{e['mean']:,.0f}"
    if e.get("low") is not None:
        s += f" [{e['low']:,.0f}, {e['high']:,.0f}]"
    return s + f" ({e['reached']}/{e['runs']})"


def copy_table(s, lengths=None):
    groups = [g for g in s["groups"] if g["finished"]]
    if not groups:
        return "(no finished run)\n"
    all_lengths = sorted({l["length"] for g in groups for l in g["lengths"]})
    lengths = lengths or all_lengths
    head = "| group | seeds | " + " | ".join(f"string acc. {L}" for L in lengths)
    head += " | examples to 0.9 (reached) | to 0.99 (reached) | train s (mean) |\n"
    out = head + "|" + "---|" * (len(lengths) + 5) + "\n"
    for g in groups:
        by_len = {l["length"]: l for l in g["lengths"]}
        cells = [mi(by_len[L]["string_accuracy"]) if L in by_len else "-" for L in lengths]
        out += f"| {g['group']} | {len(g['finished'])} ({', '.join(r.rsplit('-', 1)[1] for r in g['finished'])}) | "
        out += " | ".join(cells)
        out += f" | {examples(g['examples_to_0.9'])} | {examples(g['examples_to_0.99'])} | {g['train_seconds']['mean']:.0f} |\n"
    return out


def per_seed_table(study, s, lengths):
    """One row per run: its own string accuracies (from eval.json via the summary's inputs)."""
    if not any(g["finished"] for g in s["groups"]):
        return ""
    out = "| run | " + " | ".join(str(L) for L in lengths) + " |\n|" + "---|" * (len(lengths) + 1) + "\n"
    for g in s["groups"]:
        for run in g["finished"]:
            with open(f"docs/results/data/{study}/{run}/eval.json") as f:
                ev = {r["length"]: r["string_accuracy"] for r in json.load(f)["results"]}
            out += f"| {run} | " + " | ".join(fmt(ev.get(L)) for L in lengths) + " |\n"
    return out


def curve_table(study, s, steps):
    """One row per run: string accuracy at its training log's eval points (64 strings at the
    longest training length) at the given steps, with the examples seen (step x batch)."""
    rows = []
    for g in s["groups"]:
        for run in g["finished"]:
            with open(f"docs/results/data/{study}/{run}/config.json") as f:
                batch = json.load(f)["train"]["batch"]
            points, length = {}, None
            with open(f"docs/results/data/{study}/{run}/train.jsonl") as f:
                for line in f:
                    d = json.loads(line)
                    if "eval" in d:
                        points[d["step"]] = d["eval"]["string_accuracy"]
                        length = d["eval"]["length"]
            rows.append((run, batch, length, points))
    if not rows:
        return ""
    batch = rows[0][1]
    out = (f"| run (string acc. at {rows[0][2]}, train-log eval points) | "
           + " | ".join(f"{st * batch:,} ex." for st in steps) + " |\n|" + "---|" * (len(steps) + 1) + "\n")
    for run, _, _, points in rows:
        out += f"| {run} | " + " | ".join(fmt(points.get(st)) for st in steps) + " |\n"
    return out


def dup_table(s):
    groups = [g for g in s["groups"] if g["finished"] and "dup_probe" in g]
    if not groups:
        return ""
    ns = [d["ngram"] for d in groups[0]["dup_probe"]]
    out = "| group | seeds | " + " | ".join(f"n = {n}" for n in ns) + " |\n|" + "---|" * (len(ns) + 2) + "\n"
    for g in groups:
        out += f"| {g['group']} | {len(g['finished'])} | " + " | ".join(mi(d["string_accuracy"]) for d in g["dup_probe"]) + " |\n"
    return out


def seeds_list(values):
    return ", ".join("-" if v is None else f"{v:,}" for v in values)


def state_table(s, lengths):
    """The state sweeps: per model its state, accuracy at `lengths` (mean over seeds), and every
    seed's longest copied length, fewest bits per number and bits per letter, beside the limits."""
    out = ("| model | seeds | state numbers | state bits (32/number) | string acc. " + " / ".join(map(str, lengths)) + " (mean) "
           "| longest copied per seed (acc >= 1/2) | limit at 32 bits | fewest bits/number copying as far, per seed "
           "| limit there, per seed | bits of state per letter copied (32/number, best seed) "
           "| bits per letter at the fewest bits/number, per seed | train s (mean) |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for g in s["groups"]:
        if not g["finished"]:
            continue
        by_len = {l["length"]: l["string_accuracy"]["mean"] for l in g["lengths"]}
        accs = " / ".join(fmt(by_len.get(L), 3) for L in lengths)
        longest = g["longest_copied_length"]
        seeds = len(g["finished"])
        if "state_bits_32" not in g:
            out += (f"| {g['group']} | {seeds} | KV cache | - | {accs} | {seeds_list(longest)} | - | - | - | - | - | "
                    f"{g['train_seconds']['mean']:.0f} |\n")
            continue
        best = max(longest)
        per_letter = f"{g['state_bits_32'] / best:,.0f}" if best > 0 else "- (copies no length)"
        n = g["model"]["state_numbers"]
        fewest = g.get("fewest_bits_copying", [None] * seeds)
        at_fewest = ", ".join("-" if f is None or l == 0 else f"{f * n / l:,.0f}" for f, l in zip(fewest, longest))
        out += (f"| {g['group']} | {seeds} | {n} | {g['state_bits_32']:,} | {accs} | "
                f"{seeds_list(longest)} | {g['bound_longest_length_32']:,} | {seeds_list(fewest)} | "
                f"{seeds_list(g.get('bound_at_fewest_bits', []))} | {per_letter} | {at_fewest} | "
                f"{g['train_seconds']['mean']:.0f} |\n")
        if g.get("beats_bound") or g.get("quantized_fails"):
            out += f"| **{g['group']} violates the bound: a bug** | | | | | | | | | | | |\n"
    return out


def quantized_table(s):
    rows = [g for g in s["groups"] if g["finished"] and "quantized" in g and max(g["longest_copied_length"]) > 0]
    if not rows:
        return ""
    bits = [q["bits"] for q in rows[0]["quantized"]]
    out = "| model (longest copied, per seed) | float32 | " + " | ".join(f"q = {b}" for b in bits) + " |\n|" + "---|" * (len(bits) + 2) + "\n"
    for g in rows:
        out += f"| {g['group']} | {seeds_list(g['longest_copied_length'])} (limit {g['bound_longest_length_32']:,}) | "
        out += " | ".join(f"{seeds_list(q['longest_copied_length'])} (limit {q['bound_longest_length']:,})" for q in g["quantized"]) + " |\n"
    return out


def pigeonhole_table(s):
    out = ("| model | state numbers | L | q bits | strings | distinct quantized states | copied | witness (same state, same answer) |\n"
           "|---|---|---|---|---|---|---|---|\n")
    for g in s["groups"]:
        for p in g.get("pigeonhole", []):
            w = p.get("witness")
            wit = f"{w['a']} -> {w['answer_a']}, {w['b']} -> {w['answer_b']}" if w else "-"
            out += (f"| {g['group']} | {g['model']['state_numbers']} | {p['length']} | {p['bits']} | {p['strings']} | "
                    f"{p['distinct_states']} | {p['copied']} | {wit} |\n")
        if g.get("pigeonhole_fails"):
            out += f"| **{g['group']}: more strings copied than states: a bug** | | | | | | | |\n"
    return out


def ran(study, s):
    done = [(r, g) for g in s["groups"] for r in g["finished"]]
    missing = [r for g in s["groups"] for r in g["missing"]]
    secs = []
    for r, g in done:
        with open(f"docs/results/data/{study}/{r}/config.json") as f:
            secs.append((r, json.load(f)["train"]["seconds"]))
    line = f"- `{study}`: {len(done)} of {len(done) + len(missing)} runs committed"
    if secs:
        line += f", training wall time {sum(t for _, t in secs):,.0f} s in all: " + ", ".join(f"{r} ({t:,.0f} s)" for r, t in secs)
    if missing:
        line += f". To run: {', '.join(missing)}"
    return line + ".\n"


STUDIES = ["copy-seeds-5k", "copy-seeds", "state-sweep", "pigeonhole", "positional", "sample-efficiency", "lookup", "lr-sweep",
           "state-sweep-small"]


def tables(study):
    s = summary(study)
    print(ran(study, s))
    if study in ("copy-seeds-5k", "copy-seeds"):
        print(copy_table(s, [5, 10, 20, 40, 80, 160]))
        print(per_seed_table(study, s, [20, 40, 80, 160]))
        print(dup_table(s))
    elif study == "state-sweep":
        print(state_table(s, [1, 2, 3, 4, 8]))
        print(quantized_table(s))
    elif study == "state-sweep-small":
        print(state_table(s, [1, 2, 4, 8, 16, 32]))
        print(quantized_table(s))
    elif study == "pigeonhole":
        print(pigeonhole_table(s))
    elif study == "positional":
        print(copy_table(s, [5, 10, 20, 40, 80, 160]))
        print(per_seed_table(study, s, [20, 40, 80, 160]))
    elif study == "sample-efficiency":
        print(copy_table(s, [10, 25, 50, 100, 200]))
        print(per_seed_table(study, s, [10, 25, 50, 100, 200]))
        print(curve_table(study, s, [500, 1000, 2000, 3000, 4000, 5000]))
    elif study == "lookup":
        print(copy_table(s, [5, 10, 20, 40, 80]))
        print(per_seed_table(study, s, [5, 10, 20, 40, 80]))
    elif any(g["finished"] for g in s["groups"]):
        print(copy_table(s))


if FILL:
    with open(FILL) as f:
        text = f.read()

    def block(m):
        buf = io.StringIO()
        with redirect_stdout(buf):
            tables(m.group(1))
        return f"<!-- begin tables:{m.group(1)} -->\n{buf.getvalue().rstrip()}\n<!-- end tables:{m.group(1)} -->"

    text = re.sub(r"<!-- begin tables:([a-z0-9-]+) -->.*?<!-- end tables:\1 -->", block, text, flags=re.S)
    with open(FILL + ".tmp", "w") as f:
        f.write(text)
    import os
    os.replace(FILL + ".tmp", FILL)
else:
    for study in ONLY or STUDIES:
        print(f"<!-- {study}: scripts/study-tables.py -->")
        tables(study)

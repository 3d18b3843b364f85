#!/usr/bin/env python3
"""Instructions per score on the level-attention kernel's fast path, read off `cuobjdump -sass`.

The hot loop is the innermost loop (a backward branch) holding IMMA instructions. Its fast
path is the path from the loop's head to its back edge that issues every IMMA of an
iteration and, among those, the fewest instructions: no score reached a threshold, so no
rare-path code runs (a longest/shortest path over the loop body's forward edges).
Predicated instructions count as issued. A thread holds 4 scores per (row tile, sub-tile)
mma chain of `steps` IMMA, so scores per iteration = IMMA / steps * 4.

    cuobjdump -sass -fun NAME file.cubin > k.sass
    bench/gpu_sass_count.py k.sass --steps 2        # P = 64: 2 k-steps of 32

--patch-abi IN OUT rewrites a CUDA 13 cubin's ELF header to the old ABI (version 7, sm_90
flags) so that an older cuobjdump (Debian's CUDA 11.8) can read it; the machine code is
not touched (docs/gpu.md says when that was used).
"""
import argparse
import json
import re
import struct
import sys

LINE = re.compile(r"/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;")
HEX = re.compile(r"0x([0-9a-f]+)")


def parse(path):
    out = []
    for line in open(path):
        m = LINE.search(line)
        if m:
            out.append((int(m.group(1), 16), m.group(2).strip()))
    return out


def branch(text):
    """(target or None, conditional, ends_path) for one instruction."""
    pred = text.startswith("@")
    op = text.split()[1] if pred else text.split()[0]
    if op.startswith("EXIT") or op.startswith("RET"):
        return None, pred, not pred
    if op.startswith("BRA") or op.startswith("JMP"):
        targets = HEX.findall(text)
        target = int(targets[-1], 16) if targets else None
        conditional = pred or ", " in text.split(op, 1)[1] and "P" in text.split(op, 1)[1].split(",")[0]
        return target, conditional, not conditional
    return None, False, False


def hot_loop(instrs):
    best = None
    index = {addr: i for i, (addr, _) in enumerate(instrs)}
    for i, (addr, text) in enumerate(instrs):
        target, _, _ = branch(text)
        if target is None or target >= addr or target not in index:
            continue
        lo = index[target]
        immas = sum("IMMA" in t for _, t in instrs[lo:i + 1])
        if immas and (best is None or i - lo < best[1] - best[0]):
            best = (lo, i, immas)
    if best is None:
        sys.exit("no loop with IMMA instructions found")
    return best


def fast_path(instrs, lo, hi):
    """Max IMMA, then min instructions, over paths lo -> hi on forward edges."""
    index = {addr: i for i, (addr, _) in enumerate(instrs)}
    NONE = None
    best = [NONE] * (hi + 1)
    came = [None] * (hi + 1)
    best[lo] = (0, 0)  # (-imma, instructions) before executing instruction lo

    def better(a, b):
        return b is NONE or a < b

    for i in range(lo, hi + 1):
        if best[i] is NONE:
            continue
        neg_imma, count = best[i]
        text = instrs[i][1]
        here = (neg_imma - ("IMMA" in text), count + 1)
        if i == hi:
            path, j = [], hi
            while j is not None:
                path.append(j)
                j = came[j]
            return -here[0], here[1], path[::-1]
        target, conditional, ends = branch(text)
        successors = []
        if not ends:
            successors.append(i + 1)
        if target is not None and target in index and lo < index[target] <= hi and index[target] > i:
            successors.append(index[target])
        for s in successors:
            if better(here, best[s]):
                best[s] = here
                came[s] = i
    sys.exit("the loop's back edge is unreachable on forward edges")


def patch_abi(src, dst):
    b = bytearray(open(src, "rb").read())
    b[7], b[8] = 0x33, 7                          # EI_OSABI CUDA, ABI version 7
    struct.pack_into("<I", b, 0x30, 0x005A055A)   # e_flags: sm_90, 64-bit, virtual sm_90
    open(dst, "wb").write(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sass", nargs="?")
    ap.add_argument("--function", help="take this kernel (a substring of its name) out of a whole dump")
    ap.add_argument("--steps", type=int, default=2, help="IMMA per (row tile, sub-tile): P / 32")
    ap.add_argument("--show", action="store_true", help="print the fast path's instructions (stderr)")
    ap.add_argument("--patch-abi", nargs=2, metavar=("IN", "OUT"))
    a = ap.parse_args()
    if a.patch_abi:
        patch_abi(*a.patch_abi)
        return
    path = a.sass
    if a.function:
        parts = open(a.sass).read().split("Function : ")
        match = [p for p in parts[1:] if a.function in p.split()[0]]
        if not match:
            sys.exit(f"no function matching {a.function}")
        path = a.sass + ".one"
        open(path, "w").write(match[0])
    instrs = parse(path)
    lo, hi, _ = hot_loop(instrs)
    immas, count, path = fast_path(instrs, lo, hi)
    if a.show:
        for i in path:
            print(f"{instrs[i][0]:6x}  {instrs[i][1]}", file=sys.stderr)
    scores = immas // a.steps * 4
    local = sum(bool(re.search(r"\b(LDL|STL)", t)) for _, t in instrs[lo:hi + 1])
    print(json.dumps({
        "loop": [hex(instrs[lo][0]), hex(instrs[hi][0])],
        "loop_instructions": hi - lo + 1,
        "fast_path_instructions": count,
        "imma_per_iteration": immas,
        "scores_per_thread_per_iteration": scores,
        "instructions_per_score": round(count / scores, 3),
        "local_memory_ops_in_loop": local,
    }))


if __name__ == "__main__":
    main()

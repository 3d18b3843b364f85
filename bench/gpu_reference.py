#!/usr/bin/env python3
"""Same-run references for bench/gpu_check.sh, measured with PyTorch on the GPU:

  * the card's dense matrix peak (bf16 8192^3, and int8 through torch._int_mm when present),
  * PyTorch's scaled_dot_product_attention on the copy transformer's layer-2 shapes:
    L + 1 queries against 2L + 2 keys, causal aligned bottom-right (query i sees keys
    0 .. L + 1 + i), head dim padded to 64, bf16.

Prints one JSON object. Each time is the median of CUDA-event timings after a warm-up.
"""
import argparse
import json
import statistics
import sys


def median_ms(fn, repeats):
    import torch
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", default="65543,1048595", help="string lengths L to time SDPA at")
    parser.add_argument("--head-dim", type=int, default=64)
    args = parser.parse_args()
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as error:
        print(json.dumps({"torch": None, "error": str(error)}))
        return 0
    result = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}

    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    ms = median_ms(lambda: a @ b, 10)
    result["bf16_dense_tflops"] = 2 * n**3 / (ms / 1e3) / 1e12
    if hasattr(torch, "_int_mm"):
        ai = torch.randint(-127, 127, (n, n), device="cuda", dtype=torch.int8)
        bi = torch.randint(-127, 127, (n, n), device="cuda", dtype=torch.int8)
        ms = median_ms(lambda: torch._int_mm(ai, bi), 10)
        result["int8_dense_tops"] = 2 * n**3 / (ms / 1e3) / 1e12
    del a, b

    try:
        from torch.nn.attention.bias import causal_lower_right
    except ImportError:
        causal_lower_right = None
    rows = []
    for length in [int(x) for x in args.lengths.split(",") if x]:
        queries, keys = length + 1, 2 * length + 2
        q = torch.randn(1, 1, queries, args.head_dim, device="cuda", dtype=torch.bfloat16)
        k = torch.randn(1, 1, keys, args.head_dim, device="cuda", dtype=torch.bfloat16)
        v = torch.randn(1, 1, keys, args.head_dim, device="cuda", dtype=torch.bfloat16)
        pairs = sum(range(length + 2, keys + 1))  # query i (0-based) sees L + 2 + i keys
        row = {"length": length, "queries": queries, "keys": keys, "pairs": pairs}
        if causal_lower_right is None:
            row["error"] = "torch.nn.attention.bias.causal_lower_right is missing"
        else:
            mask = causal_lower_right(queries, keys)
            try:
                ms = median_ms(lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), 5)
                row["ms"] = ms
                row["pairs_per_second"] = pairs / (ms / 1e3)
            except RuntimeError as error:
                row["error"] = str(error).splitlines()[0]
        rows.append(row)
        del q, k, v
        torch.cuda.empty_cache()
    result["sdpa"] = rows
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""docs/python.md as one script: build the copy transformer for D=4, n=4, run it in
PyTorch, watch its heads with forward hooks, and save docs/figures/python_heads.png.

    PYTHONPATH=build/python python3 python/examples/copy_walkthrough.py [output.png]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

import copyproof
import copyproof_torch

# 1. Build the model for D = 4 letters, n = 4, strings up to 24 letters; write its weights.
model_info = copyproof.construct(4, 4, 24)
print("d_model", model_info.info["d_model"], "lambda", round(model_info.lambda_, 3),
      "alpha", model_info.alpha, "beta", model_info.beta)
print("slices", [(s["name"], s["offset"], s["width"]) for s in model_info.slices])
path = os.path.join(tempfile.mkdtemp(), "copy_d4_n4.safetensors")
copyproof.construct(4, 4, 24, weights=path)

# 2. Load it into PyTorch (nothing in copyproof_torch knows about copying) and copy a string.
model = copyproof_torch.CopyproofTransformer(path)
text = "abcaddbcbdacbbadcc"  # 18 letters, no 4-gram repeats
output, ended = model.greedy_copy(text)
print("input ", text)
print("output", output, "<EOS>" if ended else "(no EOS)")
assert output == text and ended

# 3. Forward hooks on every head's attention pattern, over BOS x COPY x.
patterns = {}
for l, layer in enumerate(model.layers):
    for h, head in enumerate(layer.heads):
        head.pattern.register_forward_hook(
            lambda module, inputs, out, key=(l, h): patterns.__setitem__(key, out.detach().numpy()))
index = {s: i for i, s in enumerate(model.symbols)}
sequence = [index["<BOS>"]] + model.tokenize(text) + [index["<COPY>"]] + model.tokenize(output)
with torch.no_grad():
    logits = model(sequence)
L = len(text)

# Layer 1: at a query position i, head q_m (and k_m) puts its mass on key i - m: it copies
# the token m steps back into its slice, so together the heads hold the n-gram around i.
i = L + 1 + 9  # a position in the copy half
names = [head.name for head in model.layers[0].heads]
offsets = np.arange(0, 5)
gather = np.array([[patterns[(0, h)][i, i - m] if i - m >= 0 else 0.0 for m in offsets]
                   for h in range(len(names))])
for name, row in zip(names, gather):
    print(f"layer 1 head {name:>4}: mass at i-0..i-4 = {np.round(row, 3)}")

# Layer 2: the query after COPY + k letters carries the n-gram ending there; its key match
# is the position right after that n-gram's first occurrence, k + 1, whose token it copies.
copy_queries = np.arange(L + 1, 2 * L + 2)
induction = patterns[(1, 0)][copy_queries][:, : 2 * L + 2]
landing = induction.argmax(axis=1)
print("layer 2: query", list(copy_queries[:6]), "-> key", list(landing[:6]), "...")
assert all(landing[k] == k + 1 for k in range(L))  # x_{k+1} sits at position k + 1

# 4. The figure.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 2]})
left.imshow(gather, cmap="viridis", vmin=0, vmax=1, aspect="auto")
left.set_xticks(offsets, [f"i-{m}" for m in offsets])
left.set_yticks(range(len(names)), names)
left.set_xlabel("key position")
left.set_title(f"layer 1: attention of each head\nat query i = {i} (the n-gram gatherers)")
image = right.imshow(induction, cmap="magma", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
right.set_xlabel("key position (0 = <BOS>, 1..L = x, L+1 = <COPY>)")
right.set_ylabel("query position (after <COPY>)")
right.set_yticks(range(0, len(copy_queries), 4), copy_queries[::4])
right.set_title("layer 2: the induction head lands on the key after the matching n-gram")
fig.colorbar(image, ax=right, label="attention probability")
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else "docs/figures/python_heads.png"
fig.savefig(out, dpi=110)
print("saved", out)

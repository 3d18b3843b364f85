"""A generic decoder-only transformer in PyTorch, loaded from a copyproof weights file.

It reads what `copyproof construct --weights FILE` writes (safetensors: the tensors
"embedding" (d_model, vocab), "unembedding" (vocab, d_model),
"layers.<l>.heads.<h>.{query,key,value,output}", and in the metadata each head's window,
position slope and name, and the vocabulary's symbols). Nothing here knows about copying:
the same semantics as construction/include/copyproof/construction/transformer.hpp:

    score(i, j) = <W_q x_i, W_k x_j> + slope * (i - j)
    allowed iff window_lo <= i - j <= window_hi and j >= 0
    head output = W_o sum_j softmax_j(score) W_v x_j   (0 when no key is allowed)
    every head of a layer reads the same stream; their outputs are added to it
    logits = unembedding @ stream

Each head's attention probabilities pass through an ``nn.Identity`` named ``pattern``, so
a forward hook on ``model.layers[l].heads[h].pattern`` sees the (queries, keys) matrix.
"""

import json
import struct

import numpy as np
import torch
from torch import nn

_DTYPES = {"F64": np.float64, "F32": np.float32, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    """(tensors as numpy arrays, metadata dict) of a safetensors file."""
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=_DTYPES[entry["dtype"]])
        tensors[name] = array.reshape(entry["shape"]).copy()
    return tensors, metadata


class AttentionHead(nn.Module):
    def __init__(self, query, key, value, output, position_slope, window_lo, window_hi, name=""):
        super().__init__()
        self.name = name
        self.query = nn.Parameter(query, requires_grad=False)    # (d_k, d_model)
        self.key = nn.Parameter(key, requires_grad=False)        # (d_k, d_model)
        self.value = nn.Parameter(value, requires_grad=False)    # (d_v, d_model)
        self.output = nn.Parameter(output, requires_grad=False)  # (d_model, d_v)
        self.position_slope = position_slope
        self.window_lo = window_lo
        self.window_hi = window_hi  # None: unbounded
        self.pattern = nn.Identity()  # hook here to see the attention probabilities

    def forward(self, stream):  # stream: (positions, d_model)
        n = stream.shape[0]
        q = stream @ self.query.T
        k = stream @ self.key.T
        v = stream @ self.value.T
        i = torch.arange(n, device=stream.device).unsqueeze(1)
        j = torch.arange(n, device=stream.device).unsqueeze(0)
        distance = i - j  # query position minus key position
        allowed = distance >= self.window_lo
        if self.window_hi is not None:
            allowed &= distance <= self.window_hi
        scores = q @ k.T + self.position_slope * distance.to(stream.dtype)
        scores = scores.masked_fill(~allowed, float("-inf"))
        has_key = allowed.any(dim=1, keepdim=True)
        # Rows without an allowed key contribute 0 (softmax of all -inf would be NaN).
        probabilities = torch.softmax(scores.masked_fill(~has_key, 0.0), dim=1) * has_key
        probabilities = self.pattern(probabilities)
        return (probabilities @ v) @ self.output.T


class TransformerLayer(nn.Module):
    def __init__(self, heads):
        super().__init__()
        self.heads = nn.ModuleList(heads)

    def forward(self, stream):
        return stream + sum(head(stream) for head in self.heads)


class CopyproofTransformer(nn.Module):
    """The generic transformer of a copyproof weights file, in float64 by default."""

    def __init__(self, path, dtype=torch.float64):
        super().__init__()
        tensors, metadata = read_safetensors(path)
        if metadata.get("format") != "copyproof-transformer-1":
            raise ValueError(f"{path}: not a copyproof-transformer-1 file")
        t = lambda name: torch.from_numpy(tensors[name]).to(dtype)
        self.embedding = nn.Parameter(t("embedding"), requires_grad=False)      # (d_model, vocab)
        self.unembedding = nn.Parameter(t("unembedding"), requires_grad=False)  # (vocab, d_model)
        layers = []
        for l, layer_heads in enumerate(json.loads(metadata["heads"])):
            heads = []
            for h, meta in enumerate(layer_heads):
                prefix = f"layers.{l}.heads.{h}."
                heads.append(AttentionHead(t(prefix + "query"), t(prefix + "key"), t(prefix + "value"),
                                           t(prefix + "output"), meta["position_slope"], meta["window_lo"],
                                           meta["window_hi"], meta["name"]))
            layers.append(TransformerLayer(heads))
        self.layers = nn.ModuleList(layers)
        self.symbols = metadata.get("vocabulary", "").split()
        self.metadata = metadata

    def forward(self, tokens):
        """Logits (positions, vocab) for a 1-D tensor or list of token ids."""
        tokens = torch.as_tensor(tokens, dtype=torch.long)
        stream = self.embedding.T[tokens]  # (positions, d_model)
        for layer in self.layers:
            stream = layer(stream)
        return stream @ self.unembedding.T

    def tokenize(self, text):
        """Token ids of a string written with the file's symbols (letters, or integers split by spaces)."""
        letters = all(len(s) == 1 for s in self.symbols if not s.startswith("<"))
        words = list(text.replace(" ", "")) if letters else text.split()
        index = {s: i for i, s in enumerate(self.symbols)}
        try:
            return [index[w] for w in words]
        except KeyError as e:
            raise ValueError(f"symbol {e.args[0]!r} is not in the file's vocabulary") from None

    def greedy_copy(self, text):
        """Feeds <BOS> text <COPY> and appends the argmax token (lowest id on ties) until
        <EOS> or len(text) + 1 tokens; returns the emitted symbols (without the final <EOS>)
        and whether <EOS> ended them."""
        index = {s: i for i, s in enumerate(self.symbols)}
        x = self.tokenize(text)
        sequence = [index["<BOS>"]] + x + [index["<COPY>"]]
        emitted = []
        with torch.no_grad():
            for _ in range(len(x) + 1):
                logits = self.forward(sequence)[-1]
                token = int(torch.argmax(logits))  # the first maximal index: lowest id on ties
                if token == index["<EOS>"]:
                    return self._join(emitted), True
                emitted.append(token)
                sequence.append(token)
        return self._join(emitted), False

    def _join(self, tokens):
        letters = all(len(s) == 1 for s in self.symbols if not s.startswith("<"))
        return ("" if letters else " ").join(self.symbols[t] for t in tokens)

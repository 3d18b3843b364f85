"""Differential tests of the Python module and the PyTorch model against the C++ code.

Run by CTest (label python) with PYTHONPATH=build/python and COPYPROOF_BINARY set.
"""

import json
import os
import subprocess
import tempfile
import unittest

import numpy as np
import torch

import copyproof
import copyproof_torch

BINARY = os.environ["COPYPROOF_BINARY"]

# Wall-clock measurements differ between any two runs; everything else must be equal.
TIMING_KEYS = {"seconds", "pairs_per_second", "layer2_seconds", "stage_seconds"}

# Both sides compute in fp64 from the same float64 weights; they differ only in the order
# of additions (Eigen's blocked products vs torch's BLAS) and in exp/log's last bits: about
# 1e-16 relative per operation over a few thousand operations per logit (2.3e-15 of the
# largest logit is the worst seen on these cases). 1e-9 of the largest logit leaves a wide
# margin over that, while a semantic difference (a moved window edge: see the last test)
# moves logits by more than 1e-6 of it.
RELATIVE_TOLERANCE = 1e-9

CASES = [(2, 3, 14), (3, 2, 12), (4, 4, 20), (5, 3, 16)]  # (D, n, L_max)


def cli_json(*args):
    out = subprocess.run([BINARY, *map(str, args), "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def letters(tokens):
    return "".join(chr(ord("a") + t) for t in tokens)


def strings_for(alphabet, ngram, max_length, rng):
    """Random strings of several lengths, and adversarial ones: one letter repeated, a
    period-n pattern (every n-gram repeats), a period-(n+1) pattern, the longest allowed,
    length 1, and a string whose only repeat is its first n-gram at the very end."""
    out = [rng.integers(0, alphabet, size=L).tolist() for L in (1, ngram, max_length // 2, max_length)]
    out += [rng.integers(0, alphabet, size=max_length).tolist() for _ in range(3)]
    out.append([0] * max_length)
    out.append([i % alphabet for i in range(max_length)])
    out.append([(i % (ngram + 1)) % alphabet for i in range(max_length)])
    prefix = rng.integers(0, alphabet, size=max(ngram, max_length - ngram)).tolist()
    out.append((prefix + prefix[:ngram])[:max_length])
    return out


class ModuleMatchesCli(unittest.TestCase):
    def test_verify_equals_cli_json(self):
        flags = dict(alphabet=3, ngram=3, length=12, samples=20, seed=7, threads=1, precision="fp64")
        module = copyproof.verify(**flags)
        cli = cli_json("verify", *sum(([f"--{k.replace('_', '-')}", v] for k, v in flags.items()), []))
        for key in TIMING_KEYS:
            module.pop(key, None)
            cli.pop(key, None)
        self.assertEqual(module, cli)
        self.assertTrue(module["pass"])

    def test_bound_and_presets_equal_cli_json(self):
        self.assertEqual(copyproof.bound(alphabet=2, length=10, state_bits=3, epsilon=0.25),
                         cli_json("bound", "--alphabet", 2, "--length", 10, "--state-bits", 3, "--epsilon", 0.25))
        self.assertEqual(copyproof.bound(preset="jamba-v0.1", length=1000),
                         cli_json("bound", "--preset", "jamba-v0.1", "--length", 1000))
        self.assertEqual(copyproof.bound(alphabet=2, length=10, state_bits=3)["error_lower_bound"], "127/128")
        self.assertEqual(copyproof.presets(), cli_json("bound", "--list-presets"))
        self.assertEqual(copyproof.pngram(alphabet=2, ngram=5, length=24, exact=True)["probability_exact"],
                         "4139641/4194304")

    def test_errors_raise_value_error_with_the_cli_message(self):
        with self.assertRaises(ValueError) as caught:
            copyproof.bound(alphabet=2, length=10, state_bits=3, epsilon=1)
        cli = subprocess.run([BINARY, "bound", "--alphabet", "2", "--length", "10", "--state-bits", "3",
                              "--epsilon", "1"], capture_output=True, text=True)
        self.assertEqual(cli.returncode, 2)
        self.assertEqual(cli.stderr.strip(), "copyproof: error: " + str(caught.exception))
        with self.assertRaisesRegex(ValueError, "--heads"):
            copyproof.bound(preset="linear-attention", d_model=512, heads=7, layers=2, length=5)
        with self.assertRaisesRegex(ValueError, "--ngram"):
            copyproof.construct(4, 0, 10)

    def test_construct_names_weights_as_the_file(self):
        model = copyproof.construct(4, 4, 32)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "w.safetensors")
            subprocess.run([BINARY, "construct", "--alphabet", "4", "--ngram", "4", "--max-length", "32",
                            "--weights", path], check=True, capture_output=True)
            tensors, metadata = copyproof_torch.read_safetensors(path)
        self.assertEqual(sorted(model.weights), sorted(tensors))
        for name, array in tensors.items():
            np.testing.assert_array_equal(model.weights[name], array)  # the same numbers, exactly
        self.assertEqual(model.slices, json.loads(metadata["slices"]))
        self.assertEqual(model.lambda_, json.loads(metadata["parameters"])["lambda"])
        self.assertEqual(model.info, cli_json("construct", "--alphabet", 4, "--ngram", 4, "--max-length", 32))


class TorchMatchesCpp(unittest.TestCase):
    def test_logits_and_greedy_copies(self):
        rng = np.random.default_rng(2024)
        for alphabet, ngram, max_length in CASES:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "w.safetensors")
                copyproof.construct(alphabet, ngram, max_length, weights=path)
                model = copyproof_torch.CopyproofTransformer(path)
                bos, copy = alphabet, alphabet + 1
                for x in strings_for(alphabet, ngram, max_length, rng):
                    with self.subTest(D=alphabet, n=ngram, L_max=max_length, x=letters(x)):
                        tokens = [bos] + x + [copy] + x  # teacher-forced: every position's logits
                        cpp = copyproof.forward_logits(path, tokens)
                        with torch.no_grad():
                            ours = model(tokens).numpy()
                        scale = max(1.0, np.abs(cpp).max())
                        self.assertLessEqual(np.abs(ours - cpp).max(), RELATIVE_TOLERANCE * scale)
                        output, ended = model.greedy_copy(letters(x))
                        reference = copyproof.copy(letters(x), alphabet=alphabet, ngram=ngram,
                                                   max_length=max_length, precision="fp64")
                        self.assertEqual(output, reference["output"])
                        self.assertEqual(ended, reference["ended_with_eos"])

    def test_a_semantic_change_is_caught(self):
        # The test above can fail: flip one head's window edge and the logits move far
        # beyond the tolerance.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "w.safetensors")
            copyproof.construct(4, 4, 20, weights=path)
            model = copyproof_torch.CopyproofTransformer(path)
            tokens = [4, 0, 1, 2, 3, 0, 1, 2, 2, 5, 0, 1, 2]
            cpp = copyproof.forward_logits(path, tokens)
            model.layers[0].heads[0].window_lo += 1
            with torch.no_grad():
                moved = model(tokens).numpy()
            self.assertGreater(np.abs(moved - cpp).max(), 1e3 * RELATIVE_TOLERANCE * np.abs(cpp).max())


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Independent checker of a `copyproof certify` certificate (docs/certify.md).

    python3 scripts/check_certificate.py WEIGHTS.safetensors CERT.json

Reads the weights written by `copyproof construct --weights` and the certificate JSON
written by `copyproof certify --out`, recomputes every inequality from the weights with its
own code (the certificate's numbers are claims to re-derive, never inputs), and prints PASS,
or FAIL with the first inequality that fails or disagrees. Exit 0 on PASS, 1 on FAIL,
2 on unreadable input.

Python 3 standard library only; imports nothing of the project. The arithmetic is interval
arithmetic on floats with every result widened outward by one ulp (math.nextafter), and exp
enclosed by its Taylor series with a remainder bound. Layer-1 window patterns are found by
enumerating actual positions of actual sequence lengths (not by the closed-form feasibility
rule the C++ side uses).
"""

import json
import math
import struct
import sys
from array import array
from fractions import Fraction

INF = math.inf
# The certificate's claimed lhs/rhs must match this recomputation to this relative
# tolerance: both sides are outward-rounded enclosures, computed here in a different order.
CLAIM_TOLERANCE = 1e-6


def down(x):
    return math.nextafter(x, -INF)


def up(x):
    return math.nextafter(x, INF)


class I:
    """A closed interval [lo, hi] of reals, every operation rounded outward."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi=None):
        self.lo = float(lo)
        self.hi = float(lo if hi is None else hi)

    def __add__(self, o):
        o = as_i(o)
        return I(down(self.lo + o.lo), up(self.hi + o.hi))

    def __sub__(self, o):
        o = as_i(o)
        return I(down(self.lo - o.hi), up(self.hi - o.lo))

    def __neg__(self):
        return I(-self.hi, -self.lo)

    def __mul__(self, o):
        o = as_i(o)
        p = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        p = [0.0 if math.isnan(x) else x for x in p]  # 0 * inf: only from empty products here
        return I(down(min(p)), up(max(p)))

    def __truediv__(self, o):
        o = as_i(o)
        if o.lo <= 0 <= o.hi:
            return I(-INF, INF)
        p = [self.lo / o.lo, self.lo / o.hi, self.hi / o.lo, self.hi / o.hi]
        return I(down(min(p)), up(max(p)))


def as_i(x):
    return x if isinstance(x, I) else I(x)


def iabs(a):
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return -a
    return I(0.0, max(-a.lo, a.hi))


def imin(a, b):
    return I(min(a.lo, b.lo), min(a.hi, b.hi))


def imax(a, b):
    return I(max(a.lo, b.lo), max(a.hi, b.hi))


def exp_point(x):
    """An enclosure of e^x: e^floor(x) by squaring an enclosure of e, e^frac by Taylor."""
    if math.isnan(x):
        return I(0.0, INF)
    if x > 709.0:
        return I(exp_point(709.0).lo, INF)
    if x < -745.0:
        return I(0.0, 5e-324)
    k = math.floor(x)
    f = x - k
    total, term = I(1.0), I(1.0)
    for i in range(1, 21):
        term = term * f / float(i)
        total = total + term
    rem = I(3.0)
    for i in range(2, 22):
        rem = rem / float(i)
    total = total + I(0.0, rem.hi)
    e = I(down(math.e), up(math.e))
    power, base, n = I(1.0), e, abs(int(k))
    while n:
        if n & 1:
            power = power * base
        base = base * base
        n >>= 1
    ek = power if k >= 0 else I(1.0) / power
    r = total * ek
    return I(max(r.lo, 0.0), r.hi)


def iexp(a):
    return I(exp_point(a.lo).lo, exp_point(a.hi).hi)


def growth(u, k):
    ku = I(k) * I(u)
    return I(ku.lo, up(iexp(ku).hi - 1.0))


# ---- rounding model (docs/certify.md) ---------------------------------------------------
U64, U32 = 2.0**-53, 2.0**-24
FORMATS = {
    # name: (exact, storage u, arithmetic u, exp u, underflow, significand bits, emin, max)
    "exact": (True, 0, 0, 0, 0, 53, -1022, 0),
    "fp64": (False, U64, U64, 16 * U64, 5e-324, 53, -1022, 1.7976931348623157e308),
    "fp32": (False, U32, U32, 16 * U32, 2.0**-149, 24, -126, 3.4028234663852886e38),
    "int8": (False, U32, U32, 16 * U32, 2.0**-149, 24, -126, 3.4028234663852886e38),
    "bf16": (False, 2.0**-8, U32, 16 * U32, 2.0**-149, 8, -126, float.fromhex("0x1.FEp127")),
    "fp16": (False, 2.0**-11, U32, 16 * U32, 2.0**-149, 11, -14, 65504.0),
}


class Fmt:
    def __init__(self, name):
        (self.exact, self.us, self.ua, self.ue, self.underflow, self.bits, self.emin, self.max) = FORMATS[name]
        self.name = name

    def round(self, w):
        if self.exact or self.name == "fp64" or w == 0 or not math.isfinite(w):
            return w
        if self.name in ("fp32", "int8"):
            return struct.unpack("<f", struct.pack("<f", w))[0]
        m, e = math.frexp(w)  # w = m 2^e, 0.5 <= |m| < 1: the leading bit has exponent e - 1
        exponent = max(e - 1, self.emin)
        quantum = math.ldexp(1.0, exponent - (self.bits - 1))
        r = round(w / quantum) * quantum  # Python's round: nearest, ties to even
        return math.copysign(INF, w) if abs(r) > self.max else r


def chain(f, ops, stores):
    if f.exact:
        return I(0.0)
    r = (I(1.0) + growth(f.ua, ops)) * (I(1.0) + growth(f.us, stores)) - 1.0
    return I(max(r.lo, 0.0), r.hi)


def softmax_deviation(ratio, f, keys=0, score_error=I(0.0), shift_error=I(0.0), sum_ops=0, rescales=0,
                      value_ops=0, value_stores=0, output_ops=0, output_stores=0):
    """(target mass, deviation of an average of +-1 codes from the target code)."""
    one = I(1.0)
    if not f.exact:
        ue = I(f.ue) / (one - f.ue)
        log_factor = score_error + shift_error + ue + I(float(rescales)) * (shift_error + ue)
        ratio = ratio * iexp(I(2.0) * log_factor) + I(float(keys)) * f.underflow * iexp(
            I(2.0) * log_factor + I(2.0) * score_error)
        gamma, nu, out = growth(f.ua, sum_ops), chain(f, value_ops, value_stores), chain(f, output_ops, output_stores)
    else:
        gamma = nu = out = I(0.0)
    ratio = I(max(ratio.lo, 0.0), ratio.hi)
    mass = one / (one + ratio)
    rho = ratio / (one + ratio)
    pre = ((one + gamma) * (I(2.0) + nu) * rho + (one + gamma) * nu + I(2.0) * gamma) / (one - gamma)
    return mass, pre + (one + pre) * out


# ---- the weights ------------------------------------------------------------------------
def read_safetensors(path):
    with open(path, "rb") as fh:
        data = fh.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F64":
            raise ValueError("tensor %s is %s, expected F64" % (name, t["dtype"]))
        a, b = t["data_offsets"]
        values = array("d")
        values.frombytes(data[base + a:base + b])
        if sys.byteorder != "little":
            values.byteswap()
        rows, cols = t["shape"]
        tensors[name] = (rows, cols, values)
    return tensors, meta


class Matrix:
    def __init__(self, t, f):
        self.rows, self.cols, raw = t
        self.v = [f.round(x) for x in raw] if not f.exact and f.name != "fp64" else raw

    def at(self, r, c):
        return self.v[r * self.cols + c]

    def row_terms(self):
        """Most nonzero entries in a row: a dot product with k nonzero terms rounds like k terms."""
        return max(sum(1 for c in range(self.cols) if self.at(r, c) != 0) for r in range(self.rows))


def layout(b, n):
    s, off = {}, 0
    for name, width in ([("tok", b)] + [("q%d" % m, b) for m in range(1, n)] + [("k%d" % m, b) for m in range(1, n + 1)]
                        + [("out", b), ("sep", 1), ("bos", 1), ("one", 1)]):
        s[name] = (off, width)
        off += width
    return s, off


class Checker:
    def __init__(self, tensors, meta, cert):
        self.D, self.n, self.L = cert["alphabet"], cert["ngram"], cert["max_length"]
        self.prec = cert["precision"]
        if self.prec not in FORMATS:
            raise ValueError("unknown precision %r" % self.prec)
        self.f = Fmt(self.prec)
        self.b = next(k for k in range(1, 40) if (1 << k) >= self.D + 1)
        self.slices, self.d = layout(self.b, self.n)
        self.V = self.D + 3
        self.BOS, self.COPY, self.EOS = self.D, self.D + 1, self.D + 2
        self.t, self.meta = tensors, meta
        self.heads = json.loads(meta["heads"])
        self.out = {}

    def add(self, name, step, lhs, rhs):
        lhs, rhs = as_i(lhs), as_i(rhs)
        self.out[name] = (lhs.hi, rhs.lo, lhs.hi < rhs.lo)

    def count(self, name, bad):
        self.add(name, "", I(float(bad)), I(1.0))

    def mat(self, name):
        return Matrix(self.t[name], self.f)

    # -- structure and codes
    def read(self):
        f, b, d, V = self.f, self.b, self.d, self.V
        E = self.mat("embedding")  # (d, V)
        if (E.rows, E.cols) != (d, V):
            raise ValueError("embedding shape %s does not fit D=%d n=%d" % ((E.rows, E.cols), self.D, self.n))
        tok0 = self.slices["tok"][0]
        sep_c, bos_c, one_c = self.slices["sep"][0], self.slices["bos"][0], self.slices["one"][0]
        bad, codes = 0, {}
        for t in range(V):
            code = 0
            for c in range(d):
                e = E.at(c, t)
                if tok0 <= c < tok0 + b:
                    bad += e not in (1.0, -1.0)
                    code |= (e > 0) << (c - tok0)
                    continue
                want = 0.0
                if c == sep_c:
                    want = 1.0 if t >= self.D else 0.0
                if c == bos_c:
                    want = 1.0 if t == self.BOS else 0.0
                if c == one_c:
                    want = 1.0
                bad += e != want
            codes[t] = code
        self.count("structure.embedding", bad)
        sepbad = sum(E.at(tok0 + c, t) != E.at(tok0 + c, self.BOS) for t in (self.COPY, self.EOS) for c in range(b))
        self.count("structure.separator_codes", sepbad)
        symbols = [codes[t] for t in range(self.D)] + [codes[self.BOS]]
        if len(set(symbols)) != len(symbols):
            dist = 0
        else:
            dist = min(bin(x ^ y).count("1") for x in symbols for y in symbols if x != y) if len(symbols) < 600 else (
                1 if any((x ^ (1 << k)) in set(symbols) for x in symbols for k in range(b)) else 2)
            dist = min(dist, 2)
        self.add("code_gap", "", I(0.0), I(float(dist)))
        self.E = E
        self.count("structure.layers", 0 if len(self.heads) == 2 else 1)
        if len(self.heads) != 2:
            return False
        self.read_layer1()
        self.read_layer2()
        self.read_unembedding()
        return True

    def terms(self, prefix):
        return [self.mat(prefix + m).row_terms() for m in ("query", "key", "value", "output")]

    def value_path_bad(self, prefix, target):
        f, b = self.f, self.b
        Wv, Wo = self.mat(prefix + "value"), self.mat(prefix + "output")
        tok0 = self.slices["tok"][0]
        t0, tw = self.slices[target]
        bad = 0
        for r in range(Wv.rows):
            for c in range(Wv.cols):
                bad += Wv.at(r, c) != 0 and not (tok0 <= c < tok0 + b)
        for r in range(Wo.rows):
            for c in range(Wo.cols):
                bad += Wo.at(r, c) != 0 and not (t0 <= r < t0 + tw)
        for a in range(tw):
            for c in range(b):  # exactly, in rationals
                s = sum(Fraction(Wo.at(t0 + a, k)) * Fraction(Wv.at(k, tok0 + c)) for k in range(Wv.rows))
                bad += s != (1 if a == c else 0)
        return bad

    def read_layer1(self):
        f = self.f
        one_c, sep_c = self.slices["one"][0], self.slices["sep"][0]
        self.l1 = []
        written = [0] * self.d
        for h, meta in enumerate(self.heads[0]):
            name = meta["name"]
            prefix = "layers.0.heads.%d." % h
            if name not in self.slices or name[0] not in "qk":
                self.count("structure.layer1." + name, 1)
                continue
            m = int(name[1:])
            lo, hi = meta["window_lo"], meta["window_hi"]
            bad = 0
            is_key = name[0] == "k"
            if hi is None or lo != (1 if is_key else 0) or hi != m:
                bad += 1
            Wq, Wk = self.mat(prefix + "query"), self.mat(prefix + "key")
            bonus = I(0.0)
            for r in range(Wq.rows):
                for c in range(Wq.cols):
                    bad += Wq.at(r, c) != 0 and c != one_c
                for c in range(Wk.cols):
                    bad += Wk.at(r, c) != 0 and c != sep_c
                bonus = bonus + I(Wq.at(r, one_c)) * I(Wk.at(r, sep_c))
            bad += self.value_path_bad(prefix, name)
            off, width = self.slices[name]
            for c in range(off, off + width):
                written[c] += 1
            self.count("structure.layer1." + name, bad)
            self.l1.append(dict(name=name, lo=lo, hi=hi if hi is not None else 0, key=is_key, terms=self.terms(prefix),
                                slope=I(f.round(meta["position_slope"])), bonus=bonus, off=off, width=width))
        cov = 0
        for name, (off, width) in self.slices.items():
            gathered = name[0] in "qk"
            cov += sum(written[c] != (1 if gathered else 0) for c in range(off, off + width))
        self.count("structure.layer1.coverage", cov)

    def read_layer2(self):
        f = self.f
        self.form, self.qrows, self.krows = {}, [], []
        bad = 0 if len(self.heads[1]) == 1 else 1
        if bad == 0:
            meta = self.heads[1][0]
            if meta["window_lo"] != 0 or meta["window_hi"] is not None or f.round(meta["position_slope"]) != 0:
                bad += 1
            bad += self.value_path_bad("layers.1.heads.0.", "out")
            Wq, Wk = self.mat("layers.1.heads.0.query"), self.mat("layers.1.heads.0.key")
            self.dk, self.unit = Wq.rows, meta["integer_score_unit"]
            self.l2terms = self.terms("layers.1.heads.0.")
            for r in range(Wq.rows):
                qr = [(c, Wq.at(r, c)) for c in range(Wq.cols) if Wq.at(r, c) != 0]
                kr = [(c, Wk.at(r, c)) for c in range(Wk.cols) if Wk.at(r, c) != 0]
                self.qrows.append(qr)
                self.krows.append(kr)
                for a, qv in qr:
                    for c, kv in kr:
                        p = I(qv) * I(kv)
                        val, ab = self.form.get((a, c), (I(0.0), 0.0))
                        self.form[(a, c)] = (val + p, up(ab + iabs(p).hi))
        self.count("structure.layer2", bad)
        b = self.b
        self.aligned = [(self.slices["tok"][0] + c, self.slices["k1"][0] + c) for c in range(b)]
        for m in range(1, self.n):
            self.aligned += [(self.slices["q%d" % m][0] + c, self.slices["k%d" % (m + 1)][0] + c) for c in range(b)]

    def read_unembedding(self):
        U = self.mat("unembedding")  # (V, d)
        out0, b = self.slices["out"]
        tok0 = self.slices["tok"][0]
        bad, l1, most = 0, 0.0, 0
        for t in range(self.V):
            s, nonzero = 0.0, 0
            for c in range(self.d):
                u = U.at(t, c)
                s = up(s + abs(u))
                nonzero += u != 0
                want = 0.0
                if out0 <= c < out0 + b and t not in (self.BOS, self.COPY):
                    reads = t if t < self.D else self.BOS
                    want = self.E.at(tok0 + c - out0, reads)
                bad += u != want
            l1 = max(l1, s)
            most = max(most, nonzero)
        self.count("structure.unembedding", bad)
        self.u_l1, self.u_terms = l1, most

    # -- step 1: layer 1, patterns by enumeration of real positions
    def patterns(self, lo, hi):
        """(bos offset or -1, copy offset or -1) of every window any input of length <= L produces."""
        found = set()
        for L in range(1, min(self.L, 2 * hi + 3) + 1):
            for i in range(0, 2 * L + 2):
                offsets = [dd for dd in range(lo, hi + 1) if i - dd >= 0]
                if not offsets:
                    continue
                bos = i if i in offsets else -1
                copy = i - (L + 1) if (i - (L + 1)) in offsets else -1
                found.add((bos, copy))
        return found

    def layer1(self):
        f = self.f
        self.dev = [0.0] * self.d
        worst_all = 0.0
        kinds = ["clipped", "clipped_copy", "copy", "letters"]
        for h in self.l1:
            lo, hi, slope, bonus = h["lo"], h["hi"], h["slope"], h["bonus"]
            width = hi - lo + 1
            kw = {}
            if not f.exact:
                largest = iabs(bonus) + iabs(slope) * float(hi)
                tq, tk, tv, to = h["terms"]
                se = chain(f, tq + tk + 3, 2) * largest
                banded = width <= 64
                tiles = math.ceil(width / 256) + 2  # a query block's key range spans up to 2 more tiles
                kw = dict(keys=width, score_error=se, shift_error=I(f.ua) * 2.0 * largest * (I(1.0) + se),
                          sum_ops=(width + 2) if banded else (256 + 2 * tiles), rescales=0 if banded else tiles,
                          value_ops=tv, value_stores=1, output_ops=2 + to, output_stores=2)
            worst = {}
            for bos, copy in self.patterns(lo, hi):
                top = bos if bos >= 0 else hi
                on, off = I(0.0), I(0.0)
                seps = {x for x in (bos, copy) if x >= 0}
                for dd in range(lo, top + 1):
                    s = slope * float(dd - hi) + (bonus if dd in seps else 0.0)
                    wgt = iexp(s)
                    target = (dd in seps) if seps else dd == hi
                    if target:
                        on = on + wgt
                    else:
                        off = off + wgt
                _, dev = softmax_deviation(off / on, f, **kw)
                kind = (1 if copy >= 0 else 0) if bos >= 0 else (2 if copy >= 0 else 3)
                if kind not in worst or dev.hi > worst[kind].hi:
                    worst[kind] = dev
            hw = 0.0
            for kind, dev in worst.items():
                self.add("layer1.%s.%s" % (h["name"], kinds[kind]), "", dev, I(0.5))
                hw = max(hw, dev.hi)
            worst_all = max(worst_all, hw)
            for c in range(h["off"], h["off"] + h["width"]):
                self.dev[c] = hw
        return worst_all

    def sees_bos(self, coord):
        for h in self.l1:
            if h["off"] <= coord < h["off"] + h["width"]:
                return h["lo"] == 0
        return True

    # -- steps 2-3: layer 2
    def layer2(self):
        f, one = self.f, I(1.0)
        T = 2 * self.L + 2
        lam_min, match, eta, abs_score, bos = I(INF), I(0.0), I(0.0), I(0.0), I(0.0)
        aligned = set(self.aligned)
        for a, c in self.aligned:
            lam = self.form.get((a, c), (I(0.0), 0.0))[0]
            lam_min = imin(lam_min, lam)
            match = match + lam
            da, dc = I(self.dev[a]), I(self.dev[c])
            eta = eta + iabs(lam) * (da + dc + da * dc)
            if self.sees_bos(c):
                bos = bos + iabs(lam) * (one + da)
        one_bos = (self.slices["one"][0], self.slices["bos"][0])
        for key, (val, ab) in self.form.items():
            da, dc = I(self.dev[key[0]]), I(self.dev[key[1]])
            abs_score = abs_score + I(ab) * (one + da) * (one + dc)
            if key in aligned:
                continue
            if key == one_bos:
                bos = bos + val
                continue
            eta = eta + iabs(val) * (one + da) * (one + dc)
        if not self.aligned:
            lam_min = I(0.0)
        letter_gap = I(2.0) * lam_min - I(2.0) * eta
        match_low, bos_high = match - eta, bos + eta
        gap = imin(letter_gap, match_low - bos_high)
        self.add("layer2.score_gap", "", I(0.0), letter_gap)
        self.add("layer2.bos_key", "", bos_high, match_low)
        kw = {}
        if not f.exact:
            tiles = math.ceil(T / 256) + 2  # a query block's key range spans up to 2 more tiles
            tq, tk, tv, to = self.l2terms
            se = chain(f, tq + tk + self.dk, 2) * abs_score
            kw = dict(keys=float(T), score_error=se, shift_error=I(f.ua) * 2.0 * abs_score * (one + se),
                      sum_ops=256 + 2 * tiles, rescales=tiles, value_ops=tv, value_stores=1,
                      output_ops=2 + to, output_stores=2)
        Tm1 = I(down(float(T - 1)), up(float(T - 1)))
        mass, dev = softmax_deviation(Tm1 * iexp(-gap), f, **kw)
        mass = I(max(mass.lo, 0.0), mass.hi)
        self.add("layer2.matched_mass", "", I(0.5), mass)
        return dev

    def layer2_int8(self):
        T = 2 * self.L + 2
        f64, f32 = Fmt("fp64"), Fmt("fp32")
        tq, tk, tv, _ = self.l2terms
        perr = chain(f32, max(tq, tk), 0) + chain(f64, 1, 0)
        dist = {"q": 0.0, "k": 0.0}
        state = {"bad": 0, "largest": 0}

        def rounded(row, scale, s, which):
            if len(row) > 1:
                state["bad"] += 1
            if not row:
                return 0.0
            coord, wgt = row[0]
            center = I(wgt) * I(s) / I(scale)
            target = float(round((center.lo + center.hi) / 2))
            reach = iabs(I(wgt) / I(scale)) * I(self.dev[coord]) * (I(1.0) + perr) + iabs(center) * perr
            far = iabs(center - target) + reach
            dist[which] = max(dist[which], far.hi)
            state["largest"] = max(state["largest"], int(abs(target)))
            return target

        match, least, bos, off_rows = 0, None, 0, 0
        one_bos = (self.slices["one"][0], self.slices["bos"][0])
        for qr, kr in zip(self.qrows, self.krows):
            q1 = k1 = 0.0
            for s in (-1.0, 0.0, 1.0):
                q = rounded(qr, self.unit, s, "q")
                k = rounded(kr, 1.0, s, "k")
                if s == 1.0:
                    q1, k1 = q, k
            if not qr or not kr:
                continue
            pair = (qr[0][0], kr[0][0])
            if pair in self.aligned:
                p = int(q1 * k1)
                match += p
                least = p if least is None else min(least, p)
                if self.sees_bos(pair[1]):
                    bos += abs(p)
            elif pair == one_bos:
                bos += int(q1 * k1)
            else:
                off_rows += 1
        vdist = chain(f32, tv, 0).hi
        self.add("int8.query_distance", "", I(dist["q"]), I(0.5))
        self.add("int8.key_distance", "", I(dist["k"]), I(0.5))
        self.add("int8.value_distance", "", I(vdist), I(0.5))
        self.add("int8.range", "", I(float(state["largest"])), I(128.0))
        self.add("int8.rows", "", I(float(state["bad"] + off_rows)), I(1.0))
        self.add("int8.level_counts", "", I(down(float(T)), up(float(T))), I(2147483648.0))
        gap = 0 if least is None else min(2 * least, match - bos)
        self.add("int8.integer_gap", "", I(0.0), I(float(gap)))
        Tm1 = I(down(float(T - 1)), up(float(T - 1)))
        mass, dev = softmax_deviation(Tm1 * iexp(-(I(self.unit) * float(gap))), f64, keys=float(T), rescales=4,
                                      sum_ops=10, output_ops=1)
        self.add("layer2.matched_mass", "", I(0.5), mass)
        return dev

    def run(self):
        if self.read():
            self.layer1()
            if self.prec == "int8":
                dev, fl = self.layer2_int8(), Fmt("fp64")
            else:
                dev, fl = self.layer2(), self.f
            logit_error = chain(fl, self.u_terms, 1) * I(self.u_l1) * (I(1.0) + dev)
            self.add("unembedding.argmax", "", dev + logit_error, I(1.0))
        return self.out


def agree(claimed, recomputed):
    if claimed is None:  # JSON null: an infinite or undefined side
        return not math.isfinite(recomputed)
    if not math.isfinite(recomputed):
        return False
    return abs(claimed - recomputed) <= CLAIM_TOLERANCE * max(1.0, abs(recomputed)) or (
        abs(recomputed) < 1e-290 and abs(claimed) < 1e-290)


def main(argv):
    if len(argv) != 3:
        print("usage: check_certificate.py WEIGHTS.safetensors CERT.json", file=sys.stderr)
        return 2
    try:
        tensors, meta = read_safetensors(argv[1])
        with open(argv[2]) as fh:
            cert = json.load(fh)
        mine = Checker(tensors, meta, cert).run()
    except (OSError, ValueError, KeyError, struct.error) as e:
        print("check_certificate: cannot read input: %s" % e, file=sys.stderr)
        return 2
    claimed = {q["name"]: q for q in cert["inequalities"]}
    for name, (lhs, rhs, holds) in mine.items():
        if not holds:
            print("FAIL: %s: %.17g < %.17g does not hold (recomputed from the weights)" % (name, lhs, rhs))
            return 1
        q = claimed.get(name)
        if q is None:
            print("FAIL: %s: holds here but is missing from the certificate" % name)
            return 1
        if not q["holds"] or not agree(q["lhs"], lhs) or not agree(q["rhs"], rhs):
            print("FAIL: %s: the certificate claims lhs %r, rhs %r, holds %r; recomputed %.17g < %.17g" %
                  (name, q["lhs"], q["rhs"], q["holds"], lhs, rhs))
            return 1
    extra = sorted(set(claimed) - set(mine))
    if extra:
        print("FAIL: %s: in the certificate but not derived from the weights" % extra[0])
        return 1
    if not cert.get("certified"):
        print("FAIL: every inequality holds here, but the certificate says certified = false")
        return 1
    print("PASS: %d inequalities recomputed from the weights (D=%d, n=%d, L_max=%d, %s)" %
          (len(mine), cert["alphabet"], cert["ngram"], cert["max_length"], cert["precision"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

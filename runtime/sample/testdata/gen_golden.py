#!/usr/bin/env python3
"""Writes golden.json: expected token ids for fixed logits, options and seeds.

An independent, deliberately plain implementation of the sampling rules of
package sample (full sorts, no shortcuts), using only the Python standard
library. Regenerate from the repository root with:

    python3 runtime/sample/testdata/gen_golden.py > runtime/sample/testdata/golden.json
"""
import json
import math
import random
import struct

MASK = (1 << 64) - 1
FLT_MAX = struct.unpack("<f", struct.pack("<I", 0x7F7FFFFF))[0]
DRAWS = 20
VOCAB = 300


def f32(x):
    """Rounds a Python float to the nearest float32, as Go's float32 ops do."""
    if math.isnan(x) or math.isinf(x):
        return x
    if abs(x) >= FLT_MAX * (1 + 2.0**-25):  # past the float32 rounding limit
        return math.copysign(math.inf, x)
    return struct.unpack("<f", struct.pack("<f", x))[0]


def bits(x):
    return "%08x" % struct.unpack("<I", struct.pack("<f", x))[0]


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * 2.0**-53


def total(ws):
    t = 0.0  # a plain left-to-right sum (sum() compensates since Python 3.12)
    for w in ws:
        t += w
    return t


def sample(logits, history, opt, rng):
    l = []
    for v in logits:
        if math.isnan(v):
            v = -math.inf
        elif v > FLT_MAX:
            v = FLT_MAX
        l.append(v)
    n = len(l)
    pen = opt["repeat_penalty"]
    if pen > 0 and pen != 1:
        window = opt["repeat_window"]
        h = history[-window:] if 0 < window < len(history) else history
        done = set()
        for i in h:
            if i < 0 or i >= n or i in done:
                continue
            done.add(i)
            v = f32(l[i] / pen) if l[i] > 0 else f32(l[i] * pen)
            l[i] = min(v, FLT_MAX)
    best = max(range(n), key=lambda i: (l[i], -i))
    temp = opt["temperature"]
    if temp == 0:
        return best
    u = rng.uniform()
    lmax = l[best]
    if lmax == -math.inf:
        return best

    def weight(i):
        return math.exp((l[i] - lmax) / temp)

    ranked = sorted(range(n), key=lambda i: (-l[i], i))
    k, p, min_p = opt["top_k"], opt["top_p"], opt["min_p"]
    if 0 < k < n:
        cands = ranked[:k]
        ws = [weight(i) for i in cands]
        z = total(ws)
    else:
        ws_by_id = [weight(i) for i in range(n)]
        z = total(ws_by_id)
        if 0 < p < 1:
            cands = ranked
            ws = [ws_by_id[i] for i in ranked]
        else:
            cands, ws = list(range(n)), ws_by_id
    if 0 < p < 1:
        keep, cum = len(ws), 0.0
        for j, w in enumerate(ws):
            cum += w
            if cum >= p * z:
                keep = j + 1
                break
        cands, ws = cands[:keep], ws[:keep]
    if min_p > 0:
        kept = [(i, w) for i, w in zip(cands, ws) if w >= min(min_p, 1.0)]
        cands, ws = [i for i, _ in kept], [w for _, w in kept]
    target = u * total(ws)
    cum, last = 0.0, 0
    for j, w in enumerate(ws):
        if w <= 0:
            continue
        cum += w
        last = j
        if cum > target:
            return cands[j]
    return cands[last]


def make_logits(seed, scale):
    r = random.Random(seed)
    return [f32(r.gauss(0.0, scale)) for _ in range(VOCAB)]


def case(name, logits, history, seed, temperature=0.0, top_k=0, top_p=0.0,
         min_p=0.0, repeat_penalty=0.0, repeat_window=0):
    opt = {
        "temperature": f32(temperature), "top_k": top_k, "top_p": f32(top_p),
        "min_p": f32(min_p), "repeat_penalty": f32(repeat_penalty),
        "repeat_window": repeat_window, "seed": seed,
    }
    rng = SplitMix64(seed)
    want = [sample(logits, history, opt, rng) for _ in range(DRAWS)]
    return dict(name=name, options=opt, history=history,
                logits=" ".join(bits(v) for v in logits), want=want)


def main():
    peaked = make_logits(1, 3.0)
    flat = make_logits(2, 0.5)
    ties = make_logits(3, 1.0)
    for i in (17, 40, 41, 99, 150, 151, 299):  # a tie group at the top
        ties[i] = f32(4.0)
    holes = make_logits(4, 2.0)
    for i in range(0, VOCAB, 3):
        holes[i] = -math.inf
    hist = [5, 17, 5, -1, 1000, 42, 17, 250, 3, 3]
    cases = [
        case("chain", peaked, hist, 42, temperature=0.8, top_k=40, top_p=0.95,
             min_p=0.05, repeat_penalty=1.3, repeat_window=8),
        case("top_p_whole_vocab", flat, [], 7, temperature=1.0, top_p=0.9),
        case("min_p_only", peaked, hist, 123456789, temperature=1.5, min_p=0.1),
        case("plain_with_encouraging_penalty", flat, hist, 0, temperature=1.0,
             repeat_penalty=0.9),
        case("top_k_cuts_a_tie", ties, [], MASK, temperature=2.0, top_k=5),
        case("neg_inf_holes", holes, hist, 99, temperature=1.3, top_p=0.8,
             repeat_penalty=1.1),
        case("greedy_with_penalty", peaked, list(range(100, 200)), 5,
             repeat_penalty=2.0, repeat_window=60),
    ]
    doc = {
        "generator": "python3 runtime/sample/testdata/gen_golden.py > runtime/sample/testdata/golden.json",
        "cases": cases,
    }
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent reference for runtime/tensor.Quantize (docs/format.md).

Regenerate quant_ref.json from the repository root with:

    python3 runtime/tensor/testdata/quant_ref.py > runtime/tensor/testdata/quant_ref.json

Standard library only. It builds a fixed pseudo-random 6x70 float32 matrix
(with a few crafted blocks: zeros, ties, tiny scales), encodes it in every
written dtype by the documented rule, and prints the input and the expected
bytes as hex. Every quotient is rounded to float32; the steps after it are
exact, as Quantize documents.
"""
import json
import math
import struct

ROWS, COLS = 6, 70
BLOCK, GROUP = 32, 4


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f16_bits(x):
    return struct.unpack("<H", struct.pack("<e", x))[0]


def f16_value(h):
    return struct.unpack("<e", struct.pack("<H", h))[0]


def bf16_bits(x):
    b = struct.unpack("<I", struct.pack("<f", x))[0]
    lo, hi = b & 0xFFFF, b >> 16
    if lo > 0x8000 or (lo == 0x8000 and hi & 1):
        hi += 1
    return hi


def matrix():
    state = 0x2545F491
    vals = []
    for r in range(ROWS):
        scale = 10.0 ** (r - 2)
        for c in range(COLS):
            state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            u = (state >> 11) / float(1 << 53)
            vals.append(f32((2 * u - 1) * scale))
    w = lambda r, c, v: vals.__setitem__(r * COLS + c, f32(v))
    for c in range(32, 64):  # row 0, block 1: all zero
        w(0, c, 0.0)
    w(1, 3, -0.5)  # row 1, block 0: a tie for the largest |w|; the first (negative) wins
    w(1, 9, 0.5)
    for c in range(32):  # row 3, block 0: d = 0.25 exactly, with halfway quotients
        w(3, c, 0.125 * (2 * (c % 9) - 7))
    w(3, 31, 31.75)
    for c in range(32, 64):  # row 4, block 1: f16-subnormal scales
        w(4, c, (c - 40) * 2.0 ** -22)
    w(4, 64, 11.2 * 2.0 ** -24)  # row 4, block 2: the Q4 lower clamp
    for c in range(65, COLS):
        w(4, c, -(c - 64) * 2.0 ** -24)
    return vals


def block(vals, r, b):
    row = vals[r * COLS:(r + 1) * COLS]
    part = row[b * BLOCK:(b + 1) * BLOCK]
    return part + [0.0] * (BLOCK - len(part))


def q8(v):
    h = f16_bits(f32(max(abs(x) for x in v) / 127))
    d = f16_value(h)
    out = []
    for x in v:
        q = 0
        if d != 0:
            t = f32(x / d)
            q = int(math.copysign(math.floor(abs(t) + 0.5), t))
            q = max(-127, min(127, q))
        out.append(q & 0xFF)
    return bytes(out), h


def q4(v):
    m = 0.0
    for x in v:
        if abs(x) > abs(m):
            m = x
    h = f16_bits(f32(m / -8))
    d = f16_value(h)
    q = []
    for x in v:
        # The clamp at 0 only matters for a subnormal d (see Quantize).
        q.append(8 if d == 0 else max(0, min(15, math.floor(f32(x / d) + 8.5))))
    half = BLOCK // 2
    return bytes(q[j] | q[j + half] << 4 for j in range(half)), h


def quantized(vals, fn):
    kb = -(-COLS // BLOCK)
    groups = -(-ROWS // GROUP)
    quants, scales = [], []
    for g in range(groups):
        for b in range(kb):
            for i in range(GROUP):
                if g * GROUP + i < ROWS:
                    qb, h = fn(block(vals, g * GROUP + i, b))
                else:  # padding row: zero values, scale +0
                    qb, h = bytes([0x88 if fn is q4 else 0] * (BLOCK // 2 if fn is q4 else BLOCK)), 0
                quants.append(qb)
                scales.append(struct.pack("<H", h))
    return b"".join(quants) + b"".join(scales)


def main():
    vals = matrix()
    out = {
        "rows": ROWS,
        "cols": COLS,
        "input_f32": b"".join(struct.pack("<f", x) for x in vals).hex(),
        "F16": b"".join(struct.pack("<H", f16_bits(x)) for x in vals).hex(),
        "BF16": b"".join(struct.pack("<H", bf16_bits(x)) for x in vals).hex(),
        "Q8": quantized(vals, q8).hex(),
        "Q4": quantized(vals, q4).hex(),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

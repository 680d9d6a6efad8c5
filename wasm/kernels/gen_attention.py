#!/usr/bin/env python3
"""Writes attention.wat, the attention kernels over an F32 cache
(attention) and a binary16 one (attention_f16), into the directory given as
the only argument; build.sh runs it (stdlib only).

All come from one template, attention.wat.in, so they read the cache in the
same order and do the same float operations in the same order; they differ
in how four cache values are loaded and in the cache's strides. Each
binary16 value is widened where it is loaded (inlined: a call per load
triples the time), so attention_f16's result has the bits of attention
over an F32 cache of the widened values.

Widening exactly takes eight operations per four values: the sign and the
15 bits below it moved to f32's places (a sign-extending load, a shift, a
mask), a multiply by 2^112 (which rebiases the exponent and makes
subnormals normal), and four more to give Inf and NaN their exponent.
attention_f16 does the first three only, and moves the 2^112 into q (for
the keys) and into the weights (for the values): a product is then the
same real number, rounded once, so the same bits, as long as q·2^112 is
finite (|q| < 2^16, checked per query row) and no value is Inf or NaN
(the flag, which copy_f16 sets when it writes one). Where either fails it
runs attention_f16_exact, the same kernel with the exact widening. In V8
the shortcut runs a decode step ~1.8x as fast as the exact widening
(BenchmarkDecodeAttention in wasm/simd).

Template markers:
  @NAME, @EXPORT, @CACHE  the kernel's name, its export, its cache in words
  @FLAGARG, @FLAGPARAM    the flag parameter, where the kernel has one
  @NOTE                   lines of comment on this kernel
  @ENTRY, @QCHECK         where attention_f16 turns to the exact kernel
  @HCONST                 the constants of binary16 loads, where the cache is one
  @CROW, @CHB, @CKOFF     a cache row, a head of it, heads h0… of it, in bytes
  @K($kN)                 the four key values at $kN + (c in cache bytes)
  @SETCH                  sets $ch, c in cache bytes, where the cache is not f32
  @QS(load))              q or a weight as loaded, scaled where the loads are
  @V0                     the four values at $vp
  @OCTS_DIMS, @VALS4_DIMS the loops over a head's dimensions for eight keys
                          and four rows of values (octs_dims, vals4_dims)
  @VSTEP                  the cache bytes of four values
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The constants the binary16 loads use, set once per call.
HCONST = """(local.set $hmask (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
    (local.set $h112 (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
    (local.set $hinf (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
    (local.set $habs (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
    (local.set $hinf16 (v128.const i32x4 0x0f800000 0x0f800000 0x0f800000 0x0f800000))"""


def memarg(offset):
    return f"offset={offset} " if offset else ""


def f32_load(addr, offset=0):
    return f"(v128.load {memarg(offset)}align=4 {addr})"


def f16_bits(addr, offset=0):
    """binary16's sign and 15 bits below it in f32's places: the value
    times 2^-112, where it is finite."""
    return f"(v128.and (i32x4.shl (v128.load16x4_s {memarg(offset)}align=2 {addr}) (i32.const 13)) (local.get $hmask))"


def f16_exact(addr, offset=0):
    """binary16 → f32 exactly: f16_bits scaled by 2^112, and the exponent
    filled where the value is Inf or NaN."""
    return ("(v128.or (f32x4.mul (local.tee $ht " + f16_bits(addr, offset) + ") (local.get $h112)) "
            "(v128.and (local.get $hinf) (i32x4.ge_s (v128.and (local.get $ht) (local.get $habs)) (local.get $hinf16))))")


# The loops over a head's dimensions take UNROLL steps of four values at a
# time, each base address read at constant offsets after one probe of its
# highest: wazero checks a load's bounds once per base and basic block, so
# a step per loop trip checked every key's and value's load (without those
# checks the kernel took 35-50 % less time under wazero). The order of
# every sum is the one of a step at a time, so the bits are too; a rest of
# fewer than UNROLL steps goes a step at a time.
UNROLL = 4


def probe(base, ceil):
    """A load whose bounds cover [base, base + ceil): the loads after it at
    lower offsets from base need no check of their own under wazero."""
    return f"(drop (i32.load offset={ceil - 4} (local.get ${base})))"


def octs_dims(kernel):
    """The scores' loop over a head's dimensions for eight keys: s_j +=
    k_j[c…c+3]·q[c…c+3], c in q bytes."""
    load, koff, cs = kernel["load"], kernel["koff"], int(kernel["VSTEP"])
    half = kernel.get("SETCH") or ""

    def q(addr, offset=0):
        v = f32_load(addr, offset)
        return f"(f32x4.mul (local.get $h112) {v})" if kernel["scaled"] else v

    def step(ind, qv, key):
        out = [ind + f"(local.set $qv {qv})"]
        out += [ind + f"(local.set $s{j} (f32x4.add (local.get $s{j}) (f32x4.mul {key(j)} (local.get $qv))))" for j in range(8)]
        return out

    i1 = " " * 14
    out = ["(local.set $c (i32.const 0))",
           "(block $octs_dims_done (loop $octs_dims",
           i1 + f"(br_if $octs_dims_done (i32.gt_u (i32.add (local.get $c) (i32.const {16 * UNROLL})) (local.get $hb)))"]
    if half:
        out.append(i1 + half)
    out.append(i1 + "(local.set $qb (i32.add (local.get $qa) (local.get $c)))")
    out += [i1 + f"(local.set $kb{j} (i32.add (local.get $k{j}) (local.get {koff})))" for j in range(8)]
    out.append(i1 + probe("qb", 16 * UNROLL))
    out += [i1 + probe(f"kb{j}", cs * UNROLL) for j in range(8)]
    for u in range(UNROLL):
        out += step(i1, q("(local.get $qb)", 16 * u), lambda j: load(f"(local.get $kb{j})", cs * u))
    out += [i1 + f"(local.set $c (i32.add (local.get $c) (i32.const {16 * UNROLL})))",
            i1 + "(br $octs_dims)))",
            " " * 12 + "(block $octs_rest_done (loop $octs_rest",
            i1 + "(br_if $octs_rest_done (i32.ge_u (local.get $c) (local.get $hb)))"]
    if half:
        out.append(i1 + half)
    out += step(i1, q("(i32.add (local.get $qa) (local.get $c))"),
                lambda j: load(f"(i32.add (local.get $k{j}) (local.get {koff}))"))
    out += [i1 + "(local.set $c (i32.add (local.get $c) (i32.const 16)))",
            i1 + "(br $octs_rest)))"]
    return "\n".join(out)


def vals4_dims(kernel):
    """The values' loop over a head's dimensions for four rows: dst[c…c+3]
    = (((dst + w0·v0) + w1·v1) + w2·v2) + w3·v3, op walking dst to end."""
    load, vs = kernel["load"], int(kernel["VSTEP"])

    def update(ind, op_off, vals):
        acc = f"(v128.load {memarg(op_off)}align=4 (local.get $op))"
        for w, v in enumerate(vals):
            acc = f"(f32x4.add {acc} (f32x4.mul (local.get $w{w}) {v}))"
        return ind + f"(v128.store {memarg(op_off)}align=4 (local.get $op) {acc})"

    i1 = " " * 16
    bases = VALUE_ROWS
    out = ["(block $vals4_dims_done (loop $vals4_dims",
           i1 + f"(br_if $vals4_dims_done (i32.gt_u (i32.add (local.get $op) (i32.const {16 * UNROLL})) (local.get $end)))"]
    out += [i1 + f"(local.set $vb{r} {b})" for r, b in enumerate(bases)]
    out.append(i1 + probe("op", 16 * UNROLL))
    out += [i1 + probe(f"vb{r}", vs * UNROLL) for r in range(4)]
    for u in range(UNROLL):
        out.append(update(i1, 16 * u, [load(f"(local.get $vb{r})", vs * u) for r in range(4)]))
    out += [i1 + f"(local.set $vp (i32.add (local.get $vp) (i32.const {vs * UNROLL})))",
            i1 + f"(local.set $vp2 (i32.add (local.get $vp2) (i32.const {vs * UNROLL})))",
            i1 + f"(local.set $op (i32.add (local.get $op) (i32.const {16 * UNROLL})))",
            i1 + "(br $vals4_dims)))",
            " " * 14 + "(block $vals4_rest_done (loop $vals4_rest",
            i1 + "(br_if $vals4_rest_done (i32.ge_u (local.get $op) (local.get $end)))",
            update(i1, 0, [load(b) for b in bases]),
            i1 + f"(local.set $vp (i32.add (local.get $vp) (i32.const {vs})))",
            i1 + f"(local.set $vp2 (i32.add (local.get $vp2) (i32.const {vs})))",
            i1 + "(local.set $op (i32.add (local.get $op) (i32.const 16)))",
            i1 + "(br $vals4_rest)))"]
    return "\n".join(out)


def half(name):
    return f"(i32.shr_u (local.get ${name}) (i32.const 1))"


ARGS = " ".join(f"(local.get ${p})" for p in "dst q k v pos0 n d head_dim scale h0 h1 scratch".split())

# attention_f16 takes the exact kernel for the whole call when the flag is
# set, and for a query row whose |q| reaches 2^16.
ENTRY = f"(if (i32.load (local.get $flag)) (then (call $attention_f16_exact {ARGS}) (return)))"
QCHECK = """(local.set $qa (i32.add (local.get $qrow) (local.get $koff)))
      (local.set $end (i32.add (local.get $qa) (i32.mul (local.get $nh) (local.get $hb))))
      (local.set $qv (v128.const i32x4 0 0 0 0))
      (loop $qmax
        (local.set $qv (f32x4.pmax (local.get $qv) (f32x4.abs (v128.load align=4 (local.get $qa)))))
        (br_if $qmax (i32.lt_u (local.tee $qa (i32.add (local.get $qa) (i32.const 16))) (local.get $end))))
      (if (v128.any_true (f32x4.ge (local.get $qv) (v128.const f32x4 0x1p16 0x1p16 0x1p16 0x1p16)))
        (then
          (call $attention_f16_exact (i32.add (local.get $dst) (i32.mul (local.get $t) (local.get $rowb))) (local.get $qrow)
            (local.get $k) (local.get $v) (i32.add (local.get $pos0) (local.get $t)) (i32.const 1)
            (local.get $d) (local.get $head_dim) (local.get $scale) (local.get $h0) (local.get $h1) (local.get $scratch))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $queries)))"""

F16 = dict(CACHE="binary16", HCONST=HCONST, CROW=half("rowb"), CHB=half("hb"), CKOFF=half("koff"),
           SETCH="(local.set $ch (i32.shr_u (local.get $c) (i32.const 1)))", VSTEP="8", koff="$ch")

KERNELS = (
    dict(NAME="attention", EXPORT=' (export "attention")', CACHE="f32", CROW="(local.get $rowb)",
         CHB="(local.get $hb)", CKOFF="(local.get $koff)", SETCH=None, VSTEP="16", koff="$c",
         load=f32_load, scaled=False, NOTE=""),
    dict(F16, NAME="attention_f16_exact", EXPORT="", load=f16_exact, scaled=False,
         NOTE="  ;; Cache values widened exactly (attention_f16 runs it where its shortcut\n"
              "  ;; would not give these bits).\n"),
    dict(F16, NAME="attention_f16", EXPORT=' (export "attention_f16")', load=f16_bits, scaled=True,
         FLAGARG=", flag", FLAGPARAM=" (param $flag i32)", ENTRY=ENTRY, QCHECK=QCHECK,
         NOTE="  ;; Cache values as f16_bits, with q and the weights scaled by 2^112\n"
              "  ;; (gen_attention.py); flag is the address of copy_f16's i32 flag.\n"),
)

# The four rows of values vals4_dims sums: $vp, $vp + row, $vp2, $vp2 + row.
VALUE_ROWS = ["(local.get $vp)", "(i32.add (local.get $vp) (local.get $crow))",
              "(local.get $vp2)", "(i32.add (local.get $vp2) (local.get $crow))"]


def expand(template, kernel):
    out = []
    for line in template.splitlines():
        marker = line.strip()
        if marker == "@OCTS_DIMS":
            out.append(line.replace(marker, octs_dims(kernel)))
            continue
        if marker == "@VALS4_DIMS":
            out.append(line.replace(marker, vals4_dims(kernel)))
            continue
        if marker in ("@SETCH", "@ENTRY", "@QCHECK", "@HCONST"):
            if kernel.get(marker[1:]):
                out.append(line.replace(marker, kernel[marker[1:]]))
            continue
        out.append(line)
    text = "\n".join(out) + "\n"
    load = kernel["load"]

    def scaled(m):
        if kernel["scaled"]:
            return f"(f32x4.mul (local.get $h112) ({m.group(1)})))"
        return f"({m.group(1)}))"

    text = re.sub(r"@QS\((.*)\)\)$", scaled, text, flags=re.M)
    text = re.sub(r"@K\((\$k\d)\)",
                  lambda m: load(f"(i32.add (local.get {m.group(1)}) (local.get {kernel['koff']}))"), text)
    text = text.replace("@V0", load(VALUE_ROWS[0]))
    for key in ("NAME", "EXPORT", "CACHE", "FLAGARG", "FLAGPARAM", "NOTE", "CROW", "CHB", "CKOFF", "VSTEP"):
        text = text.replace("@" + key, kernel.get(key, ""))
    if "@" in text:
        raise SystemExit("gen_attention.py: marker left: " + text[text.index("@"):][:40])
    return text


def main():
    with open(os.path.join(HERE, "attention.wat.in")) as fh:
        template = fh.read()
    out = ["  ;; Generated by gen_attention.py from attention.wat.in (see there)."]
    out += [expand(template, k) for k in KERNELS]
    with open(os.path.join(sys.argv[1], "attention.wat"), "w") as fh:
        fh.write("\n".join(out))


if __name__ == "__main__":
    main()

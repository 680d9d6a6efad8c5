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
  @V0 … @V3               the four values at $vp, $vp + row, $vp2, $vp2 + row
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


def f32_load(addr):
    return f"(v128.load align=4 {addr})"


def f16_bits(addr):
    """binary16's sign and 15 bits below it in f32's places: the value
    times 2^-112, where it is finite."""
    return f"(v128.and (i32x4.shl (v128.load16x4_s align=2 {addr}) (i32.const 13)) (local.get $hmask))"


def f16_exact(addr):
    """binary16 → f32 exactly: f16_bits scaled by 2^112, and the exponent
    filled where the value is Inf or NaN."""
    return ("(v128.or (f32x4.mul (local.tee $ht " + f16_bits(addr) + ") (local.get $h112)) "
            "(v128.and (local.get $hinf) (i32x4.ge_s (v128.and (local.get $ht) (local.get $habs)) (local.get $hinf16))))")


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

VALUES = {
    "@V0": "(local.get $vp)",
    "@V1": "(i32.add (local.get $vp) (local.get $crow))",
    "@V2": "(local.get $vp2)",
    "@V3": "(i32.add (local.get $vp2) (local.get $crow))",
}


def expand(template, kernel):
    out = []
    for line in template.splitlines():
        marker = line.strip()
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
    for marker, addr in VALUES.items():
        text = text.replace(marker, load(addr))
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

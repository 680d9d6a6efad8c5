#!/usr/bin/env python3
"""Writes the Q8 and Q4 matmul kernels (matmul_q8.wat, matmul_q4.wat) into
the directory given as the only argument; build.sh runs it (stdlib only).
The unrolled code is generated, not committed, so an edit here is made once.

Scheme (weight layout: docs/format.md). quant.wat first quantizes every
row of x, block by block, to integers with one f32 scale, into the call's
scratch (a vector per value: x_stride). A job then takes its row groups (4
rows of w each) in passes: all of them when x has one row (long strided
sweeps, which the hardware prefetches well), else PASS_BYTES of weights,
which the rows of x then read from cache. For each tile of 8, 4, 2 or 1 rows
of x and each chunk of CHUNK blocks of 32 columns, x's blocks are loaded
into locals, and every group of the pass runs over them (a tile of one row
loads them inside the group loop: under wazero, values held across a loop
are spilled to stack slots, which wazero does not align, so a spilled
vector may straddle two cache lines, and the same loop measured 14-30
GFLOP/s from one build of the module to the next). Quantizing x once per call instead of once per pass made
the prompt's products 4-13 % faster in V8 (docs/benchmarks.md). A group's
four rows have their block b side by side; their integer
dot products with x are exact, each block result is scaled once and the
chunk's results are summed in block order, and the chunk sum is added to
dst (zeroed first, bias added last). Output (i, j) is thus
((0 + chunk_0) + chunk_1) + … + bias whatever the pass, the job's range or
the tile, so splitting a product never changes its bits. Blocks past the
last whole chunk go one at a time.

Q4: x as int8. A row's 8-byte halves are zero-extended to int16 lanes
b = lo + 16·hi (elements j and j + 16); with y = 16·x_lo − x_hi from
$quant_x8, b·x_hi + (b & 15)·y = 16·(lo·x_lo + hi·x_hi), so one mask and
four i32x4.dot_i16x8_s give 16 times the partial sums, divided by 16
after. Tiles of several rows instead split b once into b & 15 and b >> 4
(shared by the rows) and dot them with plain x_lo and x_hi from
$quant_x8p, which saves the shift per row; the sums are the same integers.
Those (|·| ≤ 8·15·127) fit int16, so the four rows' sums reduce to one
vector (lanes = rows) with narrows and pairwise adds. The nibbles' offset
8 is taken off as 8·Σq per block.
Q4 with relaxed SIMD (kernels-relaxed.wasm): x as int8 vectors, elements
0..15 and 16..31 ($quant_x8i), and a row's 16 bytes split into its low and
high nibbles (elements j and j + 16) as bytes 0..15, the i7 operand of
i16x8.dot_i8x16_i7x16_s (V8 on x86: one pmaddubsw). Adjacent products are
summed in int16 lanes (|·| ≤ 2·127·15: no saturation, so every runtime
gives the exact sums); the two halves' sums are added and pairs of lanes
widened by a dot with ones, which leaves the same four int32 vectors per
x row as the baseline's (the same integers), reduced and scaled the same
way: the results are the baseline's, bit for bit. In V8 it runs the
prompt's products ~1.4x as fast (docs/benchmarks.md). Chunks of 4 blocks
measured best for both modules (2 or 8 were not faster); tiles of up to 8
rows of x, which were slower while each tile quantized its own x, are 1-8 %
faster than tiles of up to 4 now that x comes quantized from scratch, in
V8 and under wazero (6 rows or 3 were no faster).
Q8: x as int16 (its sums need int32 anyway). The four rows' partial sums
(|·| ≤ 32·128·32767 in all, so int32 is exact) reduce to one vector (lanes
= rows) with 64-bit lane moves and adds, which is scaled once per block.
Every load of a group goes from the highest address down, so one bounds
check covers the group's weights and one its scales.

matmul_q4_vec and matmul_q8_vec (one row of x): x quantized once into
scratch, then each row group's blocks front to back, the same block code
and the same sums in the same order, so they give matmul_q4's and
matmul_q8's bits. A group's row of blocks is contiguous in the layout, so
the weights stream in order, where the chunk-by-chunk sweep reads 256 (Q4)
or 512 (Q8) bytes every group; in V8 that made a 2560-column decode product
~1.1-1.2x as fast and a 10240-column one slower (Q4) or no faster (Q8), so
the SIMD backend uses them up to 4096 columns.
"""

import os
import sys

PASS_BYTES = 1 << 19  # weights of one pass when x has several rows
CHUNK = 4  # blocks of x per chunk
TILES = (8, 4, 2, 1)  # rows of x that share each decoded weight block
QB = {"q4": 16, "q8": 32}  # bytes of one row's block
RELAXED = False  # Q4 with relaxed SIMD's int8 dot products (main sets it)
VEC_SCRATCH = 96  # matmul_q4_vec's scratch per block of x: at most six vectors


def get(name):
    return f"(local.get ${name})"


def splat_i32(v):
    return f"(v128.const i32x4 {v} {v} {v} {v})"


def dot(a, b):
    return f"(i32x4.dot_i16x8_s {a} {b})"


def add4(a, b, c, d):
    return f"(i32x4.add (i32x4.add {a} {b}) (i32x4.add {c} {d}))"


class Func:
    """The locals and body lines of one function."""

    def __init__(self):
        self.locals, self.lines = {}, []

    def emit(self, ind, text):
        self.lines.append("  " * ind + text)

    def set(self, ind, name, expr, typ="v128"):
        self.locals.setdefault(name, typ)
        self.emit(ind, f"(local.set ${name} {expr})")

    def decls(self):
        out, line = [], "   "
        for name, typ in self.locals.items():
            item = f" (local ${name} {typ})"
            if len(line) + len(item) > 100:
                out.append(line)
                line = "   "
            line += item
        return out + [line]


def f16x4(f, ind, name, sc_offset):
    """Sets name to the four f16 scales at sc + sc_offset as f32: the
    magnitude bits shifted into f32 position are the value times 2^-112
    (normal and subnormal alike), which a multiply undoes."""
    f.set(ind, name, f"(f32x4.mul (v128.and (i32x4.shl (v128.load16x4_s offset={sc_offset} "
          f"(local.get $sc)) (i32.const 13)) {splat_i32('0x8fffe000')}) "
          "(v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))")


def q4_block(f, ind, c, rows, first):
    """Adds block c's results for x row t (lanes = the group's rows) to $acc.t."""
    for r in (3, 2, 1, 0):
        off = 64 * c + 16 * r
        f.set(ind, "v1", f"(v128.load8x8_u offset={off + 8} (local.get $wq))")
        f.set(ind, "v0", f"(v128.load8x8_u offset={off} (local.get $wq))")
        f.set(ind, "a0", f"(v128.and {get('v0')} {get('lo')})")
        f.set(ind, "a1", f"(v128.and {get('v1')} {get('lo')})")
        h0, h1 = "v0", "v1"
        if len(rows) > 1:
            # high nibbles split once for all the rows: no shift per row
            h0, h1 = "h0", "h1"
            f.set(ind, h0, f"(i16x8.shr_u {get('v0')} (i32.const 4))")
            f.set(ind, h1, f"(i16x8.shr_u {get('v1')} (i32.const 4))")
        for t in rows:
            x = [get(f"x.{t}.{c}.{z}") for z in range(4)]
            s = add4(dot(get("a0"), x[0]), dot(get(h0), x[1]), dot(get("a1"), x[2]), dot(get(h1), x[3]))
            f.set(ind, f"p.{t}.{r}", s if len(rows) > 1 else f"(i32x4.shr_s {s} (i32.const 4))")
    block_sum(f, ind, c, rows, first)


def q4r_block(f, ind, c, rows, first):
    """q4_block with relaxed SIMD: i16x8.dot_i8x16_i7x16_s of x (int8) with
    the nibbles (the i7 operand, 0..15) adds pairs of products in int16
    lanes; the two halves' pair sums are added (|·| ≤ 4·15·127) and each
    row's eight lanes reduce as q4_block's do."""
    for r in (3, 2, 1, 0):
        f.set(ind, "v", f"(v128.load offset={64 * c + 16 * r} (local.get $wq))")
        f.set(ind, "a", f"(v128.and {get('v')} {get('nib')})")
        f.set(ind, "h", f"(v128.and (i16x8.shr_u {get('v')} (i32.const 4)) {get('nib')})")
        for t in rows:
            f.set(ind, f"p.{t}.{r}", f"(i32x4.dot_i16x8_s (i16x8.add "
                  f"(i16x8.dot_i8x16_i7x16_s {get(f'xl.{t}.{c}')} {get('a')}) "
                  f"(i16x8.dot_i8x16_i7x16_s {get(f'xh.{t}.{c}')} {get('h')})) {get('ones')})")
    block_sum(f, ind, c, rows, first)


def block_sum(f, ind, c, rows, first):
    """Reduces each x row's four int32 vectors $p.t.r (lanes ≤ 8·15·127) to
    one (lanes = the group's rows), scales it and adds it to $acc.t."""
    f16x4(f, ind, "d", 8 * c)
    one = get("ones")
    for t in rows:
        p = [get(f"p.{t}.{r}") for r in range(4)]
        f.set(ind, "r", f"(i32x4.dot_i16x8_s (i16x8.narrow_i32x4_s "
              f"(i32x4.dot_i16x8_s (i16x8.narrow_i32x4_s {p[0]} {p[1]}) {one}) "
              f"(i32x4.dot_i16x8_s (i16x8.narrow_i32x4_s {p[2]} {p[3]}) {one})) {one})")
        blk = (f"(f32x4.mul (f32x4.convert_i32x4_s (i32x4.sub {get('r')} {get(f'corr.{t}.{c}')})) "
               f"(f32x4.mul {get('d')} {get(f's.{t}.{c}')}))")
        f.set(ind, f"acc.{t}", blk if first else f"(f32x4.add {get(f'acc.{t}')} {blk})")


def q8_block(f, ind, c, rows, first):
    """Adds block c's results for x row t (lanes = the group's rows) to $acc.t."""
    for r in (3, 2, 1, 0):
        for z in (3, 2, 1, 0):
            f.set(ind, f"w{z}", f"(v128.load8x8_s offset={128 * c + 32 * r + 8 * z} (local.get $wq))")
        for t in rows:
            f.set(ind, f"p.{t}.{r}", add4(*(dot(get(f"w{z}"), get(f"x.{t}.{c}.{z}")) for z in range(4))))
    f16x4(f, ind, "d", 8 * c)
    for t in rows:
        p = [get(f"p.{t}.{r}") for r in range(4)]
        for name, x, y in (("ac", p[0], p[2]), ("bd", p[1], p[3])):
            # x's lanes 0+2, 1+3, then y's
            f.set(ind, name, f"(i32x4.add (i64x2.replace_lane 1 {x} (i64x2.extract_lane 0 {y})) "
                  f"(i64x2.replace_lane 0 {y} (i64x2.extract_lane 1 {x})))")
        # lanes 0, 2: ac's pairs summed; lanes 1, 3: bd's (exact int32 row sums)
        f.set(ind, "r", f"(v128.bitselect (i32x4.add {get('ac')} (i64x2.shr_u {get('ac')} (i32.const 32))) "
              f"(i32x4.add {get('bd')} (i64x2.shl {get('bd')} (i32.const 32))) {get('even')})")
        blk = f"(f32x4.mul (f32x4.convert_i32x4_s {get('r')}) (f32x4.mul {get('d')} {get(f's.{t}.{c}')}))"
        f.set(ind, f"acc.{t}", blk if first else f"(f32x4.add {get(f'acc.{t}')} {blk})")


def x_names(q, t, c):
    """The locals the block code reads for block c of x row t, in the order
    its quantizer returns them: data vectors, then corr (Q4), then s."""
    if q == "q8":
        return [f"x.{t}.{c}.{z}" for z in range(4)] + [f"s.{t}.{c}"]
    data = [f"xl.{t}.{c}", f"xh.{t}.{c}"] if RELAXED else [f"x.{t}.{c}.{z}" for z in range(4)]
    return data + [f"corr.{t}.{c}", f"s.{t}.{c}"]


def x_stride(q):
    """Scratch bytes of one quantized block of x: a vector per value."""
    return 16 * len(x_names(q, 0, 0))


def quant_fn(q, single):
    """The quantizer of x for q; single: for a tile of one row (baseline Q4)."""
    return "x16" if q == "q8" else "x8i" if RELAXED else "x8" if single else "x8p"


def quantize_block(f, ind, q, single, xp, count, at):
    """Quantizes the block of x at xp (count values left in its row) and
    stores its values at the address at, a vector each."""
    f.emit(ind, f"(call $quant_{quant_fn(q, single)} {xp} {count})")
    for z in reversed(range(len(x_names(q, 0, 0)))):
        f.emit(ind, "(local.set $tmp)")
        f.emit(ind, f"(v128.store offset={16 * z} {at} (local.get $tmp))")
    f.locals["tmp"] = "v128"


def load_block(f, ind, q, t, c, base, offset):
    """Sets block c of x row t's locals from scratch at base + offset, the
    highest address first (wazero then checks the bounds once)."""
    for z, name in reversed(list(enumerate(x_names(q, t, c)))):
        f.set(ind, name, f"(v128.load offset={offset + 16 * z} {base})")


def chunk_loop(f, q, ind, nblk, rows, label):
    """The loop over chunks of nblk blocks while whole ones remain, x's
    blocks read from the scratch its rows were quantized into."""
    f.emit(ind, f"(block ${label}.done (loop ${label}")
    ind += 1
    f.emit(ind, f"(br_if ${label}.done (i32.gt_u (i32.add (local.get $b) (i32.const {nblk})) (local.get $kb)))")
    stride = x_stride(q)
    for t in rows:
        f.set(ind, f"xb.{t}", f"(i32.add (local.get $xrow.{t}) (i32.mul (local.get $b) (i32.const {stride})))", "i32")
        if len(rows) > 1:
            for c in reversed(range(nblk)):
                load_block(f, ind, q, t, c, get(f"xb.{t}"), stride * c)
    f.set(ind, "g", get("ga"), "i32")
    f.set(ind, "p", "(i32.add (i32.mul (local.get $g) (local.get $kb)) (local.get $b))", "i32")
    f.set(ind, "wq", f"(i32.add (local.get $w) (i32.mul (local.get $p) (i32.const {4 * QB[q]})))", "i32")
    f.set(ind, "sc", "(i32.add (local.get $scales) (i32.shl (local.get $p) (i32.const 3)))", "i32")
    f.emit(ind, f"(loop ${label}.groups")
    ind += 1
    for c in reversed(range(nblk)):
        if len(rows) == 1:
            # one row's x block loaded where each group uses it: held
            # across the loop it was spilled under wazero (~10 % slower)
            load_block(f, ind, q, 0, c, get("xb.0"), stride * c)
        block = q8_block if q == "q8" else q4r_block if RELAXED else q4_block
        block(f, ind, c, rows, c == nblk - 1)
    for t in rows:
        f.set(ind, "p", f"(i32.add (local.get $drow.{t}) (i32.shl (local.get $g) (i32.const 4)))", "i32")
        f.emit(ind, "(if (i32.le_u (i32.shl (i32.add (local.get $g) (i32.const 1)) (i32.const 2)) (local.get $j1))")
        f.emit(ind + 1, f"(then (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) {get(f'acc.{t}')})))")
        f.emit(ind + 1, "(else (call $store4 (local.get $p) (f32x4.add (call $load4 (local.get $p) "
               f"(local.get $cnt)) {get(f'acc.{t}')}) (local.get $cnt))))")
    f.set(ind, "wq", "(i32.add (local.get $wq) (local.get $wstep))", "i32")
    f.set(ind, "sc", "(i32.add (local.get $sc) (local.get $sstep))", "i32")
    f.emit(ind, f"(br_if ${label}.groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) "
           "(local.get $gb))))")
    f.emit(ind - 1, f"(local.set $b (i32.add (local.get $b) (i32.const {nblk})))")
    f.emit(ind - 1, f"(br ${label})))")


def tile_func(q, n):
    """$<q>_rows<n>: the rows of x quantized at xq, xq + rowb, … (results
    at dst, dst + 4m, …) against the groups [ga, gb); j1 ends the job's
    columns."""
    f, rows = Func(), range(n)
    for t in rows:
        f.set(2, f"xrow.{t}", f"(i32.add (local.get $xq) (i32.mul (local.get $rowb) (i32.const {t})))", "i32")
        f.set(2, f"drow.{t}", f"(i32.add (local.get $dst) (i32.mul (local.get $m) (i32.const {4 * t})))", "i32")
    f.set(2, "cnt", "(i32.sub (local.get $j1) (i32.shl (i32.sub (local.get $gb) (i32.const 1)) (i32.const 2)))", "i32")
    f.set(2, "wstep", f"(i32.mul (local.get $kb) (i32.const {4 * QB[q]}))", "i32")
    f.set(2, "sstep", "(i32.shl (local.get $kb) (i32.const 3))", "i32")
    if q == "q4":
        f.set(2, "ones", "(v128.const i16x8 1 1 1 1 1 1 1 1)")
        if RELAXED:
            f.set(2, "nib", "(v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)")
        else:
            f.set(2, "lo", "(v128.const i16x8 15 15 15 15 15 15 15 15)")
    else:
        f.set(2, "even", "(v128.const i32x4 -1 0 -1 0)")
    f.set(2, "b", "(i32.const 0)", "i32")
    chunk_loop(f, q, 2, CHUNK, rows, "chunks")
    chunk_loop(f, q, 2, 1, rows, "tail")
    head = [f"  (func ${q}_rows{n} (param $dst i32) (param $xq i32) (param $w i32) (param $scales i32)",
            "    (param $rowb i32) (param $kb i32) (param $m i32) (param $ga i32) (param $gb i32) (param $j1 i32)"]
    return "\n".join(head + f.decls() + f.lines) + ")\n"


def kernel(q):
    tiles = ""
    for n in TILES:
        call = (f"(call ${q}_rows{n} (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 2)))\n"
                "              (i32.add (local.get $scratch) (i32.mul (local.get $i) (local.get $rowb)))\n"
                "              (local.get $w) (local.get $scales) (local.get $rowb) (local.get $kb) (local.get $m)\n"
                "              (local.get $ga) (local.get $gb) (local.get $j1))")
        tiles += f"""
        (if (i32.ge_u (i32.sub (local.get $n) (local.get $i)) (i32.const {n}))
          (then
            {call}
            (local.set $i (i32.add (local.get $i) (i32.const {n})))
            (br $rows)))"""
    return f"""
  ;; matmul_{q}(dst, x, w, bias, n, k, m, j0, j1, scratch): dst[i, j] = Σ_c x[i, c]·w[j, c]
  ;; + bias[j] for i < n and j0 ≤ j < j1, w {q.upper()} [m, k]. j0 must be a multiple of 4
  ;; (a job owns whole row groups); otherwise the kernel traps. scratch: n times
  ;; {VEC_SCRATCH} bytes per 32 columns of x (kernels.MatMulScratch), x quantized.
  (func $matmul_{q} (export "matmul_{q}")
    (param $dst i32) (param $x i32) (param $w i32) (param $bias i32)
    (param $n i32) (param $k i32) (param $m i32) (param $j0 i32) (param $j1 i32) (param $scratch i32)
    (local $kb i32) (local $scales i32) (local $ga i32) (local $gb i32) (local $gend i32)
    (local $i i32) (local $pass i32) (local $rowb i32)
    (if (i32.and (local.get $j0) (i32.const 3)) (then (unreachable)))
    (if (i32.ge_u (local.get $j0) (local.get $j1)) (then (return)))
    (local.set $kb (i32.shr_u (i32.add (local.get $k) (i32.const 31)) (i32.const 5)))
    (local.set $scales (i32.add (local.get $w) (i32.mul (i32.mul (local.get $kb) (i32.const {4 * QB[q]}))
      (i32.shr_u (i32.add (local.get $m) (i32.const 3)) (i32.const 2)))))
    (call $zero_cols (local.get $dst) (local.get $n) (local.get $m) (local.get $j0) (local.get $j1))
    (local.set $gend (i32.shr_u (i32.add (local.get $j1) (i32.const 3)) (i32.const 2)))
    (local.set $ga (i32.shr_u (local.get $j0) (i32.const 2)))
    ;; every row quantized once, into scratch
    (local.set $rowb (i32.mul (local.get $kb) (i32.const {x_stride(q)})))
    (call ${q}_quant_rows (local.get $x) (local.get $n) (local.get $k) (local.get $kb) (local.get $scratch))
    ;; groups per pass: all for one row of x, else {PASS_BYTES >> 10} KiB of weights (at least 32 groups)
    (local.set $pass (i32.div_u (i32.const {PASS_BYTES}) (i32.mul (local.get $kb) (i32.const {4 * QB[q]}))))
    (local.set $pass (select (local.get $pass) (i32.const 32) (i32.gt_u (local.get $pass) (i32.const 32))))
    (if (i32.eq (local.get $n) (i32.const 1)) (then (local.set $pass (i32.sub (local.get $gend) (local.get $ga)))))
    (loop $passes
      (local.set $gb (i32.add (local.get $ga) (local.get $pass)))
      (local.set $gb (select (local.get $gb) (local.get $gend) (i32.lt_u (local.get $gb) (local.get $gend))))
      (local.set $i (i32.const 0))
      (block $rows.done (loop $rows
        (br_if $rows.done (i32.ge_u (local.get $i) (local.get $n))){tiles}))
      (br_if $passes (i32.lt_u (local.tee $ga (local.get $gb)) (local.get $gend))))
    (call $add_bias (local.get $dst) (local.get $bias) (local.get $n) (local.get $m) (local.get $j0) (local.get $j1)))
"""


def quant_rows_func(q):
    """${q}_quant_rows: every row of x quantized once, block by block, into
    scratch (rows kb·x_stride bytes apart), each in the form of the tile
    that reads it: with baseline Q4 the last row of an odd n is a tile of
    one, whose quantizer differs."""
    f, stride = Func(), x_stride(q)
    xp = "(i32.add (local.get $xr) (i32.shl (local.get $b) (i32.const 7)))"
    count = "(i32.sub (local.get $k) (i32.shl (local.get $b) (i32.const 5)))"
    at = f"(i32.add (local.get $at) (i32.mul (local.get $b) (i32.const {stride})))"
    f.set(2, "r", "(i32.const 0)", "i32")
    f.set(2, "xr", get("x"), "i32")
    f.set(2, "at", get("scratch"), "i32")
    f.emit(2, "(block $rows.done (loop $rows")
    f.emit(3, "(br_if $rows.done (i32.ge_u (local.get $r) (local.get $n)))")
    f.set(3, "b", "(i32.const 0)", "i32")
    f.emit(3, "(block $blocks.done (loop $blocks")
    f.emit(4, "(br_if $blocks.done (i32.ge_u (local.get $b) (local.get $kb)))")
    if quant_fn(q, True) == quant_fn(q, False):
        quantize_block(f, 4, q, False, xp, count, at)
    else:
        f.emit(4, "(if (i32.and (i32.and (local.get $n) (i32.const 1)) "
               "(i32.eq (local.get $r) (i32.sub (local.get $n) (i32.const 1))))")
        f.emit(5, "(then")
        quantize_block(f, 6, q, True, xp, count, at)
        f.emit(5, ")")
        f.emit(5, "(else")
        quantize_block(f, 6, q, False, xp, count, at)
        f.emit(5, "))")
    f.set(4, "b", "(i32.add (local.get $b) (i32.const 1))", "i32")
    f.emit(4, "(br $blocks)))")
    f.set(3, "xr", "(i32.add (local.get $xr) (i32.shl (local.get $k) (i32.const 2)))", "i32")
    f.set(3, "at", f"(i32.add (local.get $at) (i32.mul (local.get $kb) (i32.const {stride})))", "i32")
    f.set(3, "r", "(i32.add (local.get $r) (i32.const 1))", "i32")
    f.emit(3, "(br $rows)))")
    head = [f"  (func ${q}_quant_rows (param $x i32) (param $n i32) (param $k i32) (param $kb i32) (param $scratch i32)"]
    return "\n".join(head + f.decls() + f.lines) + ")\n"


def vec_kernel(q):
    """matmul_<q>_vec: matmul_<q> for one row of x, row group by row group.
    x is quantized once, block by block, into scratch (the four to six
    vectors $quant_x8i, $quant_x8 or $quant_x16 returns per block), and
    each group's row of blocks, contiguous in the layout, is read front to
    back; the block and chunk sums are matmul_<q>'s, in its order, so the
    results are its bits."""
    f = Func()
    gbytes = 4 * QB[q]  # one row group's bytes of one block

    f.set(2, "kb", "(i32.shr_u (i32.add (local.get $k) (i32.const 31)) (i32.const 5))", "i32")
    f.set(2, "scales", f"(i32.add (local.get $w) (i32.mul (i32.mul (local.get $kb) (i32.const {gbytes})) "
          "(i32.shr_u (i32.add (local.get $m) (i32.const 3)) (i32.const 2))))", "i32")
    f.emit(2, "(call $zero_cols (local.get $dst) (i32.const 1) (local.get $m) (local.get $j0) (local.get $j1))")
    f.set(2, "ga", "(i32.shr_u (local.get $j0) (i32.const 2))", "i32")
    f.set(2, "gb", "(i32.shr_u (i32.add (local.get $j1) (i32.const 3)) (i32.const 2))", "i32")
    f.set(2, "cnt", "(i32.sub (local.get $j1) (i32.shl (i32.sub (local.get $gb) (i32.const 1)) (i32.const 2)))", "i32")
    f.set(2, "full", "(i32.and (local.get $kb) (i32.const -4))", "i32")
    if q == "q8":
        f.set(2, "even", "(v128.const i32x4 -1 0 -1 0)")
    else:
        f.set(2, "ones", "(v128.const i16x8 1 1 1 1 1 1 1 1)")
    if q == "q4" and RELAXED:
        f.set(2, "nib", "(v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)")
    elif q == "q4":
        f.set(2, "lo", "(v128.const i16x8 15 15 15 15 15 15 15 15)")

    def quantize(ind, col, at):
        """x's block col, quantized, to scratch at the address at."""
        quantize_block(f, ind, q, True, f"(i32.add (local.get $x) (i32.shl {col} (i32.const 7)))",
                       f"(i32.sub (local.get $k) (i32.shl {col} (i32.const 5)))", at)

    def load_x(ind, c):
        """The block c of a chunk as the locals the block code reads."""
        load_block(f, ind, q, 0, c, get("xq"), stride * c)

    block = q8_block if q == "q8" else q4r_block if RELAXED else q4_block
    stride = x_stride(q)  # scratch bytes per block
    # x once, the whole chunks' blocks
    f.set(2, "b", "(i32.const 0)", "i32")
    f.emit(2, "(block $quant.done (loop $quant")
    f.emit(3, "(br_if $quant.done (i32.ge_u (local.get $b) (local.get $full)))")
    quantize(3, get("b"), f"(i32.add (local.get $scratch) (i32.mul (local.get $b) (i32.const {stride})))")
    f.emit(3, "(local.set $b (i32.add (local.get $b) (i32.const 1)))")
    f.emit(3, "(br $quant)))")
    # each group: its whole chunks front to back
    f.set(2, "g", get("ga"), "i32")
    f.emit(2, "(block $groups.done (loop $groups")
    f.emit(3, "(br_if $groups.done (i32.ge_u (local.get $g) (local.get $gb)))")
    f.set(3, "wq", f"(i32.add (local.get $w) (i32.mul (i32.mul (local.get $g) (local.get $kb)) (i32.const {gbytes})))", "i32")
    f.set(3, "sc", "(i32.add (local.get $scales) (i32.shl (i32.mul (local.get $g) (local.get $kb)) (i32.const 3)))", "i32")
    f.set(3, "xq", get("scratch"), "i32")
    f.set(3, "sum", "(v128.const i32x4 0 0 0 0)")
    f.set(3, "b", "(i32.const 0)", "i32")
    f.emit(3, "(block $chunks.done (loop $chunks")
    f.emit(4, f"(br_if $chunks.done (i32.ge_u (local.get $b) (local.get $full)))")
    for c in reversed(range(CHUNK)):
        load_x(4, c)
        block(f, 4, c, range(1), c == CHUNK - 1)
    f.set(4, "sum", "(f32x4.add (local.get $sum) (local.get $acc.0))")
    f.set(4, "wq", f"(i32.add (local.get $wq) (i32.const {gbytes * CHUNK}))", "i32")
    f.set(4, "sc", f"(i32.add (local.get $sc) (i32.const {8 * CHUNK}))", "i32")
    f.set(4, "xq", f"(i32.add (local.get $xq) (i32.const {stride * CHUNK}))", "i32")
    f.set(4, "b", f"(i32.add (local.get $b) (i32.const {CHUNK}))", "i32")
    f.emit(4, "(br $chunks)))")
    f.set(3, "p", "(i32.add (local.get $dst) (i32.shl (local.get $g) (i32.const 4)))", "i32")
    f.emit(3, "(if (i32.le_u (i32.shl (i32.add (local.get $g) (i32.const 1)) (i32.const 2)) (local.get $j1))")
    f.emit(4, "(then (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $sum))))")
    f.emit(4, "(else (call $store4 (local.get $p) (f32x4.add (call $load4 (local.get $p) (local.get $cnt)) "
           "(local.get $sum)) (local.get $cnt))))")
    f.set(3, "g", "(i32.add (local.get $g) (i32.const 1))", "i32")
    f.emit(3, "(br $groups)))")
    # the blocks past the last whole chunk, one at a time over every group, as matmul_q4
    f.emit(2, "(block $tail.done (loop $tail")
    f.emit(3, "(br_if $tail.done (i32.ge_u (local.get $b) (local.get $kb)))")
    quantize(3, get("b"), get("scratch"))
    f.set(3, "xq", get("scratch"), "i32")
    load_x(3, 0)
    f.set(3, "g", get("ga"), "i32")
    f.emit(3, "(loop $tail.groups")
    f.set(4, "wq", "(i32.add (local.get $w) (i32.mul (i32.add (i32.mul (local.get $g) (local.get $kb)) (local.get $b)) "
          f"(i32.const {gbytes})))", "i32")
    f.set(4, "sc", "(i32.add (local.get $scales) (i32.shl (i32.add (i32.mul (local.get $g) (local.get $kb)) (local.get $b)) (i32.const 3)))", "i32")
    block(f, 4, 0, range(1), True)
    f.set(4, "p", "(i32.add (local.get $dst) (i32.shl (local.get $g) (i32.const 4)))", "i32")
    f.emit(4, "(if (i32.le_u (i32.shl (i32.add (local.get $g) (i32.const 1)) (i32.const 2)) (local.get $j1))")
    f.emit(5, "(then (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (local.get $acc.0))))")
    f.emit(5, "(else (call $store4 (local.get $p) (f32x4.add (call $load4 (local.get $p) (local.get $cnt)) "
           "(local.get $acc.0)) (local.get $cnt))))")
    f.emit(4, "(br_if $tail.groups (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 1))) (local.get $gb))))")
    f.emit(3, "(local.set $b (i32.add (local.get $b) (i32.const 1)))")
    f.emit(3, "(br $tail)))")
    f.emit(2, "(call $add_bias (local.get $dst) (local.get $bias) (i32.const 1) (local.get $m) (local.get $j0) (local.get $j1)))")
    head = ["",
            f"  ;; matmul_{q}_vec(dst, x, w, bias, k, m, j0, j1, scratch): matmul_{q} with n = 1,",
            f"  ;; bit for bit, reading each row group's weights front to back; scratch: {VEC_SCRATCH}",
            "  ;; bytes per 32 columns of x (kernels.MatVecScratch). j0 must be a multiple of 4.",
            f'  (func $matmul_{q}_vec (export "matmul_{q}_vec")',
            "    (param $dst i32) (param $x i32) (param $w i32) (param $bias i32)",
            "    (param $k i32) (param $m i32) (param $j0 i32) (param $j1 i32) (param $scratch i32)",
            "    (if (i32.and (local.get $j0) (i32.const 3)) (then (unreachable)))",
            "    (if (i32.ge_u (local.get $j0) (local.get $j1)) (then (return)))"]
    # the early returns must follow the locals' declarations
    return "\n".join(head[:7] + f.decls() + head[7:] + f.lines) + "\n"


def main():
    """gen_matmul_q.py DIR [relaxed]: relaxed writes the Q4 kernel of the
    relaxed-SIMD module (kernels-relaxed.wasm)."""
    global RELAXED
    RELAXED = sys.argv[2:] == ["relaxed"]
    for q in ("q8", "q4"):
        text = f"  ;; matmul_{q}: generated by gen_matmul_q.py, which describes the scheme.\n" + kernel(q)
        text += "\n" + quant_rows_func(q)
        text += "".join("\n" + tile_func(q, n) for n in TILES)
        text += vec_kernel(q)
        with open(os.path.join(sys.argv[1], f"matmul_{q}.wat"), "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()

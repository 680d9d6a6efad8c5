  ;; Elementwise and row kernels: layernorm, gelu, add, add3, rope, copy,
  ;; argmax. Ranges [a, b) select the part of the output a job computes.

  ;; layernorm(dst, x, gamma, beta, d, eps, r0, r1): rows [r0, r1) of the
  ;; [·, d] matrix x, normalized with biased variance: (x − μ)·rstd·γ + β
  ;; with rstd = 1/sqrt(σ² + eps) (eps: f32 bits). μ and σ² sum element c
  ;; into lane c mod 4 and add the lanes as (s0 + s1) + (s2 + s3), the
  ;; pure-Go reference's order, so results match it bit for bit. dst may be x.
  (func $layernorm (export "layernorm")
    (param $dst i32) (param $x i32) (param $gamma i32) (param $beta i32)
    (param $d i32) (param $eps i32) (param $r0 i32) (param $r1 i32)
    (local $row i32) (local $out i32) (local $o i32) (local $d4 i32) (local $rest i32)
    (local $s v128) (local $v v128) (local $mean v128) (local $rstd v128) (local $tail v128)
    (local $k f32) (local $f f32)
    (local.set $d4 (i32.shl (i32.shr_u (local.get $d) (i32.const 2)) (i32.const 4)))
    (local.set $rest (i32.and (local.get $d) (i32.const 3)))
    (local.set $k (f32.convert_i32_u (local.get $d)))
    ;; lanes below rest: the tail of a row
    (local.set $tail (i32x4.gt_s (i32x4.splat (local.get $rest)) (v128.const i32x4 0 1 2 3)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r0) (local.get $r1)))
      (local.set $row (i32.add (local.get $x) (i32.mul (local.get $r0) (i32.shl (local.get $d) (i32.const 2)))))
      (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $r0) (i32.shl (local.get $d) (i32.const 2)))))
      ;; mean
      (local.set $s (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $e1 (loop $l1
        (br_if $e1 (i32.ge_u (local.get $o) (local.get $d4)))
        (local.set $s (f32x4.add (local.get $s) (v128.load align=4 (i32.add (local.get $row) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $l1)))
      (local.set $s (f32x4.add (local.get $s)
        (call $load4 (i32.add (local.get $row) (local.get $d4)) (local.get $rest))))
      (local.set $mean (f32x4.splat (f32.div (call $hsum_f32 (local.get $s)) (local.get $k))))
      ;; variance
      (local.set $s (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $e2 (loop $l2
        (br_if $e2 (i32.ge_u (local.get $o) (local.get $d4)))
        (local.set $v (f32x4.sub (v128.load align=4 (i32.add (local.get $row) (local.get $o))) (local.get $mean)))
        (local.set $s (f32x4.add (local.get $s) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $l2)))
      (local.set $v (f32x4.sub (call $load4 (i32.add (local.get $row) (local.get $d4)) (local.get $rest)) (local.get $mean)))
      (local.set $s (f32x4.add (local.get $s) (v128.and (f32x4.mul (local.get $v) (local.get $v)) (local.get $tail))))
      (local.set $f (f32.div (call $hsum_f32 (local.get $s)) (local.get $k)))
      (local.set $rstd (f32x4.splat (f32.div (f32.const 1)
        (f32.sqrt (f32.add (local.get $f) (f32.reinterpret_i32 (local.get $eps)))))))
      ;; normalize
      (local.set $o (i32.const 0))
      (block $e3 (loop $l3
        (br_if $e3 (i32.ge_u (local.get $o) (local.get $d4)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $o))
          (f32x4.add
            (f32x4.mul
              (f32x4.mul (f32x4.sub (v128.load align=4 (i32.add (local.get $row) (local.get $o))) (local.get $mean))
                (local.get $rstd))
              (v128.load align=4 (i32.add (local.get $gamma) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $beta) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $l3)))
      (call $store4 (i32.add (local.get $out) (local.get $d4))
        (f32x4.add
          (f32x4.mul
            (f32x4.mul (f32x4.sub (call $load4 (i32.add (local.get $row) (local.get $d4)) (local.get $rest)) (local.get $mean))
              (local.get $rstd))
            (call $load4 (i32.add (local.get $gamma) (local.get $d4)) (local.get $rest)))
          (call $load4 (i32.add (local.get $beta) (local.get $d4)) (local.get $rest)))
        (local.get $rest))
      (local.set $r0 (i32.add (local.get $r0) (i32.const 1)))
      (br $rows))))

  ;; $hsum_f32 returns (v0 + v1) + (v2 + v3).
  (func $hsum_f32 (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; gelu(dst, x, i0, i1): elements [i0, i1) of gelu_new,
  ;; 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³), computed as
  ;; x / (1 + e^(−2u)) with the SIMD exp ($gelu4). dst may be x.
  (func $gelu (export "gelu") (param $dst i32) (param $x i32) (param $i0 i32) (param $i1 i32)
    (local $o i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i0) (local.get $i1)))
      (local.set $o (i32.shl (local.get $i0) (i32.const 2)))
      (if (i32.ge_u (i32.sub (local.get $i1) (local.get $i0)) (i32.const 4))
        (then (v128.store align=4 (i32.add (local.get $dst) (local.get $o))
          (call $gelu4 (v128.load align=4 (i32.add (local.get $x) (local.get $o))))))
        (else (call $store4 (i32.add (local.get $dst) (local.get $o))
          (call $gelu4 (call $load4 (i32.add (local.get $x) (local.get $o)) (i32.sub (local.get $i1) (local.get $i0))))
          (i32.sub (local.get $i1) (local.get $i0)))))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
      (br $next))))

  ;; $gelu4 is gelu_new of four values (see gelu): −2u is computed as
  ;; x·(−2·√(2/π))·(1 + 0.044715·x²).
  (func $gelu4 (param $x v128) (result v128)
    (local $er v128) (local $en v128) (local $ep v128)
    (local.set $er (f32x4.min (f32x4.max (f32x4.mul (local.get $x)
      (f32x4.mul (v128.const f32x4 -0x1.988454p0 -0x1.988454p0 -0x1.988454p0 -0x1.988454p0)
        (f32x4.add (v128.const f32x4 1 1 1 1)
          (f32x4.mul (f32x4.mul (local.get $x) (local.get $x)) (v128.const f32x4 0x1.6e4e26p-5 0x1.6e4e26p-5 0x1.6e4e26p-5 0x1.6e4e26p-5))))) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 89 89 89 89)))
    (local.set $en (f32x4.add (f32x4.mul (local.get $er) (v128.const f32x4 0x1.715476p0 0x1.715476p0 0x1.715476p0 0x1.715476p0)) (v128.const f32x4 12583039 12583039 12583039 12583039)))
    (local.set $ep (f32x4.sub (local.get $en) (v128.const f32x4 12583039 12583039 12583039 12583039)))
    (local.set $er (f32x4.sub (f32x4.sub (local.get $er) (f32x4.mul (local.get $ep) (v128.const f32x4 0x1.63p-1 0x1.63p-1 0x1.63p-1 0x1.63p-1)))
      (f32x4.mul (local.get $ep) (v128.const f32x4 -0x1.bd0106p-13 -0x1.bd0106p-13 -0x1.bd0106p-13 -0x1.bd0106p-13))))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $er) (v128.const f32x4 0x1.a01a02p-13 0x1.a01a02p-13 0x1.a01a02p-13 0x1.a01a02p-13)) (v128.const f32x4 0x1.6c16c2p-10 0x1.6c16c2p-10 0x1.6c16c2p-10 0x1.6c16c2p-10)))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 0x1.111112p-7 0x1.111112p-7 0x1.111112p-7 0x1.111112p-7)))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 0x1.555556p-5 0x1.555556p-5 0x1.555556p-5 0x1.555556p-5)))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 0x1.555556p-3 0x1.555556p-3 0x1.555556p-3 0x1.555556p-3)))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 0x1p-1 0x1p-1 0x1p-1 0x1p-1)))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1 1 1 1)))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1 1 1 1)))
    (local.set $ep (f32x4.mul (local.get $ep) (i32x4.shl (local.get $en) (i32.const 23))))
    (f32x4.div (local.get $x) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $ep))))

  ;; add(dst, a, b, i0, i1): dst = a + b on elements [i0, i1).
  (func $add (export "add") (param $dst i32) (param $a i32) (param $b i32) (param $i0 i32) (param $i1 i32)
    (local $o i32) (local $c i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i0) (local.get $i1)))
      (local.set $o (i32.shl (local.get $i0) (i32.const 2)))
      (local.set $c (i32.sub (local.get $i1) (local.get $i0)))
      (if (i32.ge_u (local.get $c) (i32.const 4))
        (then (v128.store align=4 (i32.add (local.get $dst) (local.get $o))
          (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $o)))
            (v128.load align=4 (i32.add (local.get $b) (local.get $o))))))
        (else (call $store4 (i32.add (local.get $dst) (local.get $o))
          (f32x4.add (call $load4 (i32.add (local.get $a) (local.get $o)) (local.get $c))
            (call $load4 (i32.add (local.get $b) (local.get $o)) (local.get $c)))
          (local.get $c))))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
      (br $next))))

  ;; add3(dst, a, b, c, i0, i1): dst = (a + b) + c on elements [i0, i1).
  (func $add3 (export "add3") (param $dst i32) (param $a i32) (param $b i32) (param $c i32) (param $i0 i32) (param $i1 i32)
    (local $o i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i0) (local.get $i1)))
      (local.set $o (i32.shl (local.get $i0) (i32.const 2)))
      (local.set $n (i32.sub (local.get $i1) (local.get $i0)))
      (if (i32.ge_u (local.get $n) (i32.const 4))
        (then (v128.store align=4 (i32.add (local.get $dst) (local.get $o))
          (f32x4.add
            (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $o)))
              (v128.load align=4 (i32.add (local.get $b) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $c) (local.get $o))))))
        (else (call $store4 (i32.add (local.get $dst) (local.get $o))
          (f32x4.add
            (f32x4.add (call $load4 (i32.add (local.get $a) (local.get $o)) (local.get $n))
              (call $load4 (i32.add (local.get $b) (local.get $o)) (local.get $n)))
            (call $load4 (i32.add (local.get $c) (local.get $o)) (local.get $n)))
          (local.get $n))))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
      (br $next))))

  ;; rope(x, table, pos0, d, head_dim, rot_dim, r0, r1): rotate-half rotary
  ;; embedding, in place, on rows [r0, r1) of the [·, d] matrix x. Row t
  ;; uses row pos0 + t of table ([·, rot_dim]: rot_dim/2 cosines then as
  ;; many sines); in each head, for i < h = rot_dim/2,
  ;; x[i] ← x[i]·cos − x[i+h]·sin and x[i+h] ← x[i+h]·cos + x[i]·sin.
  (func $rope (export "rope")
    (param $x i32) (param $table i32) (param $pos0 i32) (param $d i32)
    (param $head_dim i32) (param $rot_dim i32) (param $r0 i32) (param $r1 i32)
    (local $row i32) (local $cos i32) (local $sin i32) (local $half i32) (local $c0 i32)
    (local $lo i32) (local $hi i32) (local $i i32) (local $n i32)
    (local $a v128) (local $b v128) (local $cv v128) (local $sv v128)
    (local.set $half (i32.shr_u (local.get $rot_dim) (i32.const 1)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r0) (local.get $r1)))
      (local.set $row (i32.add (local.get $x) (i32.mul (local.get $r0) (i32.shl (local.get $d) (i32.const 2)))))
      (local.set $cos (i32.add (local.get $table)
        (i32.mul (i32.add (local.get $pos0) (local.get $r0)) (i32.shl (local.get $rot_dim) (i32.const 2)))))
      (local.set $sin (i32.add (local.get $cos) (i32.shl (local.get $half) (i32.const 2))))
      (local.set $c0 (i32.const 0))
      (block $heads_done (loop $heads
        (br_if $heads_done (i32.gt_u (i32.add (local.get $c0) (local.get $head_dim)) (local.get $d)))
        (local.set $lo (i32.add (local.get $row) (i32.shl (local.get $c0) (i32.const 2))))
        (local.set $hi (i32.add (local.get $lo) (i32.shl (local.get $half) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $pairs_done (loop $pairs
          (br_if $pairs_done (i32.ge_u (local.get $i) (local.get $half)))
          (local.set $n (i32.sub (local.get $half) (local.get $i)))
          (local.set $a (call $load4 (i32.add (local.get $lo) (i32.shl (local.get $i) (i32.const 2))) (local.get $n)))
          (local.set $b (call $load4 (i32.add (local.get $hi) (i32.shl (local.get $i) (i32.const 2))) (local.get $n)))
          (local.set $cv (call $load4 (i32.add (local.get $cos) (i32.shl (local.get $i) (i32.const 2))) (local.get $n)))
          (local.set $sv (call $load4 (i32.add (local.get $sin) (i32.shl (local.get $i) (i32.const 2))) (local.get $n)))
          (call $store4 (i32.add (local.get $lo) (i32.shl (local.get $i) (i32.const 2)))
            (f32x4.sub (f32x4.mul (local.get $a) (local.get $cv)) (f32x4.mul (local.get $b) (local.get $sv)))
            (local.get $n))
          (call $store4 (i32.add (local.get $hi) (i32.shl (local.get $i) (i32.const 2)))
            (f32x4.add (f32x4.mul (local.get $b) (local.get $cv)) (f32x4.mul (local.get $a) (local.get $sv)))
            (local.get $n))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $pairs)))
        (local.set $c0 (i32.add (local.get $c0) (local.get $head_dim)))
        (br_if $heads (local.get $head_dim))))
      (local.set $r0 (i32.add (local.get $r0) (i32.const 1)))
      (br $rows))))

  ;; copy(dst, src, bytes): memory copy (overlapping ranges as memmove).
  (func $copy (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))

  ;; argmax(out, x, count): stores at out (i32) the index of the largest of
  ;; the count f32 at x, the lowest on ties; NaN never wins, and a range
  ;; with no other value gives 0. Lane l tracks indices ≡ l mod 4.
  (func $argmax (export "argmax") (param $out i32) (param $x i32) (param $count i32)
    (local $i i32) (local $v v128) (local $best v128) (local $at v128) (local $idx v128) (local $take v128)
    (local $bv f32) (local $bi i32) (local $f f32) (local $l i32)
    (local.set $at (v128.const i32x4 -1 -1 -1 -1))
    (local.set $idx (v128.const i32x4 0 1 2 3))
    (block $done (loop $quads
      (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $count)))
      (local.set $v (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
      ;; take v where it is a number and (nothing yet or v > best)
      (local.set $take (v128.and (f32x4.eq (local.get $v) (local.get $v))
        (v128.or (i32x4.lt_s (local.get $at) (v128.const i32x4 0 0 0 0)) (f32x4.gt (local.get $v) (local.get $best)))))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
      (local.set $at (v128.bitselect (local.get $idx) (local.get $at) (local.get $take)))
      (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $quads)))
    ;; the lanes, largest value first and lowest index on ties
    (local.set $bi (i32.const -1))
    (local.set $l (i32.const 0))
    (loop $lanes
      (local.set $i (i32x4.extract_lane 0 (local.get $at)))
      (local.set $f (f32x4.extract_lane 0 (local.get $best)))
      (if (i32.ge_s (local.get $i) (i32.const 0))
        (then (if (i32.or (i32.lt_s (local.get $bi) (i32.const 0))
            (i32.or (f32.gt (local.get $f) (local.get $bv))
              (i32.and (f32.eq (local.get $f) (local.get $bv)) (i32.lt_s (local.get $i) (local.get $bi)))))
          (then (local.set $bv (local.get $f)) (local.set $bi (local.get $i))))))
      ;; rotate the next lane into lane 0
      (local.set $at (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $at) (local.get $at)))
      (local.set $best (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $best) (local.get $best)))
      (br_if $lanes (i32.lt_u (local.tee $l (i32.add (local.get $l) (i32.const 1))) (i32.const 4))))
    ;; the last count mod 4 values
    (local.set $i (i32.and (local.get $count) (i32.const -4)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $f (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.and (f32.eq (local.get $f) (local.get $f))
          (i32.or (i32.lt_s (local.get $bi) (i32.const 0)) (f32.gt (local.get $f) (local.get $bv))))
        (then (local.set $bv (local.get $f)) (local.set $bi (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tail)))
    (i32.store (local.get $out) (select (local.get $bi) (i32.const 0) (i32.ge_s (local.get $bi) (i32.const 0)))))

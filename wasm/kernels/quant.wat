  ;; Quantization of x for the Q8 and Q4 matmuls (gen_matmul_q.py): each
  ;; block of 32 values becomes integers q with one f32 scale s, x ≈ q·s.

  ;; $quant_block quantizes the c (≤ 32; zeros past c) values of x at p to
  ;; q = round(x·qmax/a), a = max |x|, and returns q as eight i32 vectors
  ;; (elements 0..31 in order) and s = a/qmax in every lane; |q| ≤ qmax and
  ;; |x − q·s| ≤ a·(1/(2·qmax) + 2^-22) while s is normal (a subnormal s
  ;; is coarser). x is first scaled by the power of two that
  ;; brings a into [1, 2) (exact), so 1/a never overflows, subnormal a
  ;; included. All zeros give q = 0, s = 0; a NaN or Inf in x gives q = 0 and
  ;; s that value, so the block's results are NaN.
  (func $quant_block (param $p i32) (param $c i32) (param $qmax f32)
    (result v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $v4 v128) (local $v5 v128) (local $v6 v128) (local $v7 v128)
    (local $a v128) (local $am i32) (local $eb i32) (local $pow v128) (local $inv v128)
    (local $magic v128) (local $zero v128)
    (if (i32.ge_u (local.get $c) (i32.const 32))
      (then
        (local.set $v0 (v128.load offset=0 align=4 (local.get $p)))
        (local.set $v1 (v128.load offset=16 align=4 (local.get $p)))
        (local.set $v2 (v128.load offset=32 align=4 (local.get $p)))
        (local.set $v3 (v128.load offset=48 align=4 (local.get $p)))
        (local.set $v4 (v128.load offset=64 align=4 (local.get $p)))
        (local.set $v5 (v128.load offset=80 align=4 (local.get $p)))
        (local.set $v6 (v128.load offset=96 align=4 (local.get $p)))
        (local.set $v7 (v128.load offset=112 align=4 (local.get $p))))
      (else
        (call $load32 (local.get $p) (local.get $c))
        (local.set $v7) (local.set $v6) (local.set $v5) (local.set $v4)
        (local.set $v3) (local.set $v2) (local.set $v1) (local.set $v0)))
    ;; the largest |x| as integer bits (NaN above Inf above finite values)
    (local.set $a (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
    (local.set $a
      (i32x4.max_s
        (i32x4.max_s
          (i32x4.max_s (v128.and (local.get $v0) (local.get $a)) (v128.and (local.get $v1) (local.get $a)))
          (i32x4.max_s (v128.and (local.get $v2) (local.get $a)) (v128.and (local.get $v3) (local.get $a))))
        (i32x4.max_s
          (i32x4.max_s (v128.and (local.get $v4) (local.get $a)) (v128.and (local.get $v5) (local.get $a)))
          (i32x4.max_s (v128.and (local.get $v6) (local.get $a)) (v128.and (local.get $v7) (local.get $a))))))
    (local.set $a (i32x4.max_s (local.get $a) (i64x2.shr_u (local.get $a) (i32.const 32))))
    (local.set $am (i32x4.extract_lane 0 (local.get $a)))
    (local.set $eb (i32x4.extract_lane 2 (local.get $a)))
    (local.set $am (select (local.get $am) (local.get $eb) (i32.gt_s (local.get $am) (local.get $eb))))
    (if (i32.or (i32.eqz (local.get $am)) (i32.ge_u (local.get $am) (i32.const 0x7f800000)))
      (then
        (return (local.get $zero) (local.get $zero) (local.get $zero) (local.get $zero)
          (local.get $zero) (local.get $zero) (local.get $zero) (local.get $zero)
          (i32x4.splat (local.get $am)))))
    ;; pow = 2^-E for a in [2^E, 2^(E+1)), E clamped to [-126, 126]
    (local.set $eb (i32.shr_u (local.get $am) (i32.const 23)))
    (local.set $eb (select (local.get $eb) (i32.const 253) (i32.lt_u (local.get $eb) (i32.const 253))))
    (local.set $pow (i32x4.splat (i32.shl (i32.sub (i32.const 254) (local.get $eb)) (i32.const 23))))
    (local.set $inv (f32x4.splat (f32.div (local.get $qmax)
      (f32.mul (f32.reinterpret_i32 (local.get $am)) (f32x4.extract_lane 0 (local.get $pow))))))
    ;; round to nearest: adding and removing 1.5·2^23 (|x·qmax/a| < 2^22)
    (local.set $magic (v128.const f32x4 0x1.8p23 0x1.8p23 0x1.8p23 0x1.8p23))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v0) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v1) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v2) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v3) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v4) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v5) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v6) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (i32x4.sub (f32x4.add (f32x4.mul (f32x4.mul (local.get $v7) (local.get $pow)) (local.get $inv)) (local.get $magic)) (local.get $magic))
    (f32x4.splat (f32.div (f32.reinterpret_i32 (local.get $am)) (local.get $qmax))))

  ;; $quant_x8 quantizes a block for Q4 (int8, qmax 127) and returns, as
  ;; int16 vectors for the two 8-byte halves of a Q4 block (low nibbles:
  ;; elements j, high: j + 16), 16·q[0..7] − q[16..23], q[16..23],
  ;; 16·q[8..15] − q[24..31] and q[24..31] (gen_matmul_q.py says why); then
  ;; 8·Σq in every lane (the nibbles' offset) and the scale.
  (func $quant_x8 (param $p i32) (param $c i32)
    (result v128 v128 v128 v128 v128 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128)
    (local $s v128) (local $sum v128)
    (call $quant_block (local.get $p) (local.get $c) (f32.const 127))
    (local.set $s)
    (local.set $q7) (local.set $q6) (local.set $q5) (local.set $q4)
    (local.set $q3) (local.set $q2) (local.set $q1) (local.set $q0)
    (local.set $sum (i32x4.add
      (i32x4.add (i32x4.add (local.get $q0) (local.get $q1)) (i32x4.add (local.get $q2) (local.get $q3)))
      (i32x4.add (i32x4.add (local.get $q4) (local.get $q5)) (i32x4.add (local.get $q6) (local.get $q7)))))
    (local.set $sum (i32x4.add (local.get $sum) (i64x2.shr_u (local.get $sum) (i32.const 32))))
    (i16x8.narrow_i32x4_s
      (i32x4.sub (i32x4.shl (local.get $q0) (i32.const 4)) (local.get $q4))
      (i32x4.sub (i32x4.shl (local.get $q1) (i32.const 4)) (local.get $q5)))
    (i16x8.narrow_i32x4_s (local.get $q4) (local.get $q5))
    (i16x8.narrow_i32x4_s
      (i32x4.sub (i32x4.shl (local.get $q2) (i32.const 4)) (local.get $q6))
      (i32x4.sub (i32x4.shl (local.get $q3) (i32.const 4)) (local.get $q7)))
    (i16x8.narrow_i32x4_s (local.get $q6) (local.get $q7))
    (i32x4.splat (i32.shl
      (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 2 (local.get $sum)))
      (i32.const 3)))
    (local.get $s))

  ;; $quant_x8p is $quant_x8 with plain halves: q[0..7], q[16..23], q[8..15]
  ;; and q[24..31] (for tiles that split the nibbles once for several rows).
  (func $quant_x8p (param $p i32) (param $c i32)
    (result v128 v128 v128 v128 v128 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128)
    (local $s v128) (local $sum v128)
    (call $quant_block (local.get $p) (local.get $c) (f32.const 127))
    (local.set $s)
    (local.set $q7) (local.set $q6) (local.set $q5) (local.set $q4)
    (local.set $q3) (local.set $q2) (local.set $q1) (local.set $q0)
    (local.set $sum (i32x4.add
      (i32x4.add (i32x4.add (local.get $q0) (local.get $q1)) (i32x4.add (local.get $q2) (local.get $q3)))
      (i32x4.add (i32x4.add (local.get $q4) (local.get $q5)) (i32x4.add (local.get $q6) (local.get $q7)))))
    (local.set $sum (i32x4.add (local.get $sum) (i64x2.shr_u (local.get $sum) (i32.const 32))))
    (i16x8.narrow_i32x4_s (local.get $q0) (local.get $q1))
    (i16x8.narrow_i32x4_s (local.get $q4) (local.get $q5))
    (i16x8.narrow_i32x4_s (local.get $q2) (local.get $q3))
    (i16x8.narrow_i32x4_s (local.get $q6) (local.get $q7))
    (i32x4.splat (i32.shl
      (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 2 (local.get $sum)))
      (i32.const 3)))
    (local.get $s))

  ;; $quant_x8i is $quant_x8 as int8 vectors for relaxed SIMD's int8 dot
  ;; products: q[0..15] (a Q4 block's low nibbles), q[16..31] (its high
  ;; nibbles), then 8·Σq in every lane and the scale. Only the relaxed
  ;; module's Q4 kernel calls it.
  (func $quant_x8i (param $p i32) (param $c i32)
    (result v128 v128 v128 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128)
    (local $s v128) (local $sum v128)
    (call $quant_block (local.get $p) (local.get $c) (f32.const 127))
    (local.set $s)
    (local.set $q7) (local.set $q6) (local.set $q5) (local.set $q4)
    (local.set $q3) (local.set $q2) (local.set $q1) (local.set $q0)
    (local.set $sum (i32x4.add
      (i32x4.add (i32x4.add (local.get $q0) (local.get $q1)) (i32x4.add (local.get $q2) (local.get $q3)))
      (i32x4.add (i32x4.add (local.get $q4) (local.get $q5)) (i32x4.add (local.get $q6) (local.get $q7)))))
    (local.set $sum (i32x4.add (local.get $sum) (i64x2.shr_u (local.get $sum) (i32.const 32))))
    (i8x16.narrow_i16x8_s
      (i16x8.narrow_i32x4_s (local.get $q0) (local.get $q1))
      (i16x8.narrow_i32x4_s (local.get $q2) (local.get $q3)))
    (i8x16.narrow_i16x8_s
      (i16x8.narrow_i32x4_s (local.get $q4) (local.get $q5))
      (i16x8.narrow_i32x4_s (local.get $q6) (local.get $q7)))
    (i32x4.splat (i32.shl
      (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 2 (local.get $sum)))
      (i32.const 3)))
    (local.get $s))

  ;; $quant_x16 quantizes a block for Q8 (int16, qmax 32767) and returns the
  ;; int16 vectors of elements 0–7, 8–15, 16–23 and 24–31 and the scale.
  (func $quant_x16 (param $p i32) (param $c i32)
    (result v128 v128 v128 v128 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128)
    (local $s v128)
    (call $quant_block (local.get $p) (local.get $c) (f32.const 32767))
    (local.set $s)
    (local.set $q7) (local.set $q6) (local.set $q5) (local.set $q4)
    (local.set $q3) (local.set $q2) (local.set $q1) (local.set $q0)
    (i16x8.narrow_i32x4_s (local.get $q0) (local.get $q1))
    (i16x8.narrow_i32x4_s (local.get $q2) (local.get $q3))
    (i16x8.narrow_i32x4_s (local.get $q4) (local.get $q5))
    (i16x8.narrow_i32x4_s (local.get $q6) (local.get $q7))
    (local.get $s))

  ;; Q8 and Q4 matmul (docs/format.md layout).
  ;;
  ;; A job takes its row groups (4 rows of w each) in passes of up to 32
  ;; groups. For each row of x (two at a time while they last) and each
  ;; chunk of up to 2 blocks of 32 columns, $quant_x turns x into two int16
  ;; parts once, and every group of the pass runs over them: the four rows'
  ;; block b lie side by side in storage, the block's four integer dot
  ;; products with both parts are exact, and the four block sums, scaled,
  ;; are added to dst, which holds the running sums (zeroed first, bias
  ;; added last). Two rows of x share each decoded weight block.
  ;; Result (i, j) is thus ((0 + r_0) + r_1) + … + bias with r_b the
  ;; float32 block result, whatever the pass, the job's range or the rows
  ;; of x, so splitting a product never changes its bits.
  ;;
  ;; The chunks keep each group's reads sequential for 2 blocks and the
  ;; passes bound the streams read at once; both matter when the weights
  ;; come from DRAM.

  ;; $quant_x splits the c (≤ 32; zeros past c) values of x at p as
  ;; x = (h + l/2^12)·s + e: s is a power of two with max |x/s| in
  ;; [2^9, 2^10), h = round(x/s), l = round((x/s − h)·2^12), |e| ≤ 2^-13·s,
  ;; about 2^-22 of the block's largest |x|. x/s, the residual and its
  ;; scaling are exact; rounding adds and removes 1.5·2^23.
  ;; Returns h and l as four int16 vectors each (elements 0..31 in order);
  ;; 8·Σ(4096·h + l) (wrapping) in every lane, the Q4 offset; and s in every
  ;; lane. A NaN or Inf in x makes s that value.
  (func $quant_x (param $p i32) (param $c i32)
    (result v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $v4 v128) (local $v5 v128) (local $v6 v128) (local $v7 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $h4 v128) (local $h5 v128) (local $h6 v128) (local $h7 v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $l4 v128) (local $l5 v128) (local $l6 v128) (local $l7 v128)
    (local $a v128) (local $am i32) (local $eb i32) (local $inv v128) (local $s v128)
    (local $t v128) (local $r v128) (local $magic v128)
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
    (local.set $eb (i32.shr_u (local.get $am) (i32.const 23)))
    (if (i32.eq (local.get $eb) (i32.const 255))
      (then
        (local.set $s (i32x4.splat (local.get $am)))
        (local.set $inv (v128.const i32x4 0 0 0 0)))
      (else ;; max |x| in [2^E, 2^(E+1)) with E = eb − 127: s = 2^(E−9)
        (local.set $eb (select (local.get $eb) (i32.const 10) (i32.gt_u (local.get $eb) (i32.const 10))))
        (local.set $s (i32x4.splat (i32.shl (i32.sub (local.get $eb) (i32.const 9)) (i32.const 23))))
        (local.set $inv (i32x4.splat (i32.shl (i32.sub (i32.const 263) (local.get $eb)) (i32.const 23))))))
    (local.set $magic (v128.const f32x4 0x1.8p23 0x1.8p23 0x1.8p23 0x1.8p23))
    (local.set $t (f32x4.mul (local.get $v0) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h0 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l0 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v1) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h1 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l1 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v2) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h2 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l2 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v3) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h3 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l3 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v4) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h4 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l4 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v5) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h5 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l5 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v6) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h6 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l6 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (local.set $t (f32x4.mul (local.get $v7) (local.get $inv)))
    (local.set $r (f32x4.add (local.get $t) (local.get $magic)))
    (local.set $h7 (i32x4.sub (local.get $r) (local.get $magic)))
    (local.set $l7 (i32x4.sub
      (f32x4.add
        (f32x4.mul (f32x4.sub (local.get $t) (f32x4.sub (local.get $r) (local.get $magic)))
          (v128.const f32x4 0x1p12 0x1p12 0x1p12 0x1p12))
        (local.get $magic))
      (local.get $magic)))
    (i16x8.narrow_i32x4_s (local.get $h0) (local.get $h1))
    (i16x8.narrow_i32x4_s (local.get $h2) (local.get $h3))
    (i16x8.narrow_i32x4_s (local.get $h4) (local.get $h5))
    (i16x8.narrow_i32x4_s (local.get $h6) (local.get $h7))
    (i16x8.narrow_i32x4_s (local.get $l0) (local.get $l1))
    (i16x8.narrow_i32x4_s (local.get $l2) (local.get $l3))
    (i16x8.narrow_i32x4_s (local.get $l4) (local.get $l5))
    (i16x8.narrow_i32x4_s (local.get $l6) (local.get $l7))
    (local.set $a (i32x4.add (i32x4.mul (i32x4.add
        (i32x4.add (i32x4.add (local.get $h0) (local.get $h1)) (i32x4.add (local.get $h2) (local.get $h3)))
        (i32x4.add (i32x4.add (local.get $h4) (local.get $h5)) (i32x4.add (local.get $h6) (local.get $h7)))) (v128.const i32x4 4096 4096 4096 4096))
      (i32x4.add
        (i32x4.add (i32x4.add (local.get $l0) (local.get $l1)) (i32x4.add (local.get $l2) (local.get $l3)))
        (i32x4.add (i32x4.add (local.get $l4) (local.get $l5)) (i32x4.add (local.get $l6) (local.get $l7))))))
    (local.set $a (i32x4.add (local.get $a) (i64x2.shr_u (local.get $a) (i32.const 32))))
    (i32x4.splat (i32.shl
      (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 2 (local.get $a)))
      (i32.const 3)))
    (local.get $s))


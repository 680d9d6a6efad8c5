  ;; Helpers shared by the kernels: partial vectors at the end of a range,
  ;; output initialization (none of these is on a hot path), widening of
  ;; halves and the sum of a vector's lanes.

  ;; $load4 returns the f32 at p, p+4, … for lanes below c (c ≤ 0: none,
  ;; c ≥ 4: all), zeros above, reading nothing past the c-th value.
  (func $load4 (param $p i32) (param $c i32) (result v128)
    (local $v v128)
    (if (i32.ge_s (local.get $c) (i32.const 4))
      (then (return (v128.load align=4 (local.get $p)))))
    (if (i32.ge_s (local.get $c) (i32.const 1))
      (then (local.set $v (v128.load32_zero align=4 (local.get $p)))))
    (if (i32.ge_s (local.get $c) (i32.const 2))
      (then (local.set $v (v128.load32_lane align=4 1 (i32.add (local.get $p) (i32.const 4)) (local.get $v)))))
    (if (i32.ge_s (local.get $c) (i32.const 3))
      (then (local.set $v (v128.load32_lane align=4 2 (i32.add (local.get $p) (i32.const 8)) (local.get $v)))))
    (local.get $v))

  ;; $store4 stores the lanes of v below c (as $load4) at p, p+4, ….
  (func $store4 (param $p i32) (param $v v128) (param $c i32)
    (if (i32.ge_s (local.get $c) (i32.const 4))
      (then (v128.store align=4 (local.get $p) (local.get $v)) (return)))
    (if (i32.ge_s (local.get $c) (i32.const 1))
      (then (v128.store32_lane align=4 0 (local.get $p) (local.get $v))))
    (if (i32.ge_s (local.get $c) (i32.const 2))
      (then (v128.store32_lane align=4 1 (i32.add (local.get $p) (i32.const 4)) (local.get $v))))
    (if (i32.ge_s (local.get $c) (i32.const 3))
      (then (v128.store32_lane align=4 2 (i32.add (local.get $p) (i32.const 8)) (local.get $v)))))

  ;; $load32 returns the c (0 ≤ c ≤ 32) f32 at p as eight vectors, zeros
  ;; past the end: the last, partial block of a row.
  (func $load32 (param $p i32) (param $c i32)
    (result v128 v128 v128 v128 v128 v128 v128 v128)
    (local $q i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (loop $next ;; shift the vectors down one place, the new one last
      (local.set $a0 (local.get $a1)) (local.set $a1 (local.get $a2))
      (local.set $a2 (local.get $a3)) (local.set $a3 (local.get $a4))
      (local.set $a4 (local.get $a5)) (local.set $a5 (local.get $a6))
      (local.set $a6 (local.get $a7))
      (local.set $a7 (call $load4 (i32.add (local.get $p) (i32.shl (local.get $q) (i32.const 4)))
        (i32.sub (local.get $c) (i32.shl (local.get $q) (i32.const 2)))))
      (br_if $next (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (i32.const 8))))
    (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)
    (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7))

  ;; $zero_cols sets columns [j0, j1) of the n rows of an [n, m] f32 matrix
  ;; to zero.
  (func $zero_cols (param $dst i32) (param $n i32) (param $m i32) (param $j0 i32) (param $j1 i32)
    (local $i i32)
    (if (i32.ge_u (local.get $j0) (local.get $j1)) (then (return)))
    (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $j0) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (memory.fill (local.get $dst) (i32.const 0)
          (i32.shl (i32.sub (local.get $j1) (local.get $j0)) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; $add_bias adds bias[j] to columns [j0, j1) of the n rows of an [n, m]
  ;; f32 matrix; bias 0 means none.
  (func $add_bias (param $dst i32) (param $bias i32) (param $n i32) (param $m i32) (param $j0 i32) (param $j1 i32)
    (local $i i32) (local $j i32) (local $row i32) (local $p i32)
    (if (i32.eqz (local.get $bias)) (then (return)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 2))))
        (local.set $j (local.get $j0))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $j) (local.get $j1)))
            (local.set $p (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
            (call $store4 (local.get $p)
              (f32x4.add
                (call $load4 (local.get $p) (i32.sub (local.get $j1) (local.get $j)))
                (call $load4 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))
                  (i32.sub (local.get $j1) (local.get $j))))
              (i32.sub (local.get $j1) (local.get $j)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; $f16x4 widens the four binary16 values at p exactly. The magnitude
  ;; bits shifted into f32 position are the value times 2^-112 (normal and
  ;; subnormal alike), which a multiply undoes; exponent 31 (Inf, NaN) gets
  ;; the f32 exponent 255 ORed in.
  (func $f16x4 (param $p i32) (result v128)
    (local $t v128)
    (local.set $t (v128.and (i32x4.shl (v128.load16x4_s align=2 (local.get $p)) (i32.const 13))
      (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000)))
    (v128.or
      (f32x4.mul (local.get $t) (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
      (v128.and (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000)
        (i32x4.ge_s (v128.and (local.get $t) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
          (v128.const i32x4 0x0f800000 0x0f800000 0x0f800000 0x0f800000)))))

  ;; $f16 widens the binary16 value h (low 16 bits) exactly, Inf and NaN
  ;; included.
  (func $f16 (param $h i32) (result f32)
    (local $e i32)
    (local.set $e (i32.and (local.get $h) (i32.const 0x7c00)))
    (f32.reinterpret_i32 (i32.or
      (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16))
      (if (result i32) (i32.eq (local.get $e) (i32.const 0x7c00))
        (then (i32.or (i32.const 0x7f800000) (i32.shl (i32.and (local.get $h) (i32.const 0x3ff)) (i32.const 13))))
        (else (i32.reinterpret_f32 (f32.mul
          (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
          (f32.const 0x1p112))))))))

  ;; $hsum_f32 returns (v0 + v1) + (v2 + v3).
  (func $hsum_f32 (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; $exp4 returns e^x lane by lane (the same code is inlined in attention
  ;; and $gelu4). x is clamped to [−87.3, 89] and split as n·ln 2 + r with
  ;; n = round(x·log2 e) and |r| ≤ ln 2/2 (ln 2 in two parts, so r is nearly
  ;; exact); e^r is its Taylor polynomial to r^7 (truncation below 6e-9
  ;; relative) and 2^n is built from the bits of n + 127. So e^x is Inf from
  ;; x ≈ 88.4 up (n = 128), about 1.2e-38 for x ≤ −87.3, NaN for NaN.
  (func $exp4 (param $x v128) (result v128)
    (local $er v128) (local $en v128) (local $ep v128)
    (local.set $er (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 89 89 89 89)))
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
    (local.get $ep))

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

  ;; Elementwise kernels: gelu_new, add, add3. Ranges [i0, i1) select the
  ;; elements a job computes.

  ;; gelu_new(dst, x, i0, i1): elements [i0, i1) of gelu_new,
  ;; 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³), computed as
  ;; x / (1 + e^(−2u)) with the SIMD exp ($gelu4). dst may be x.
  (func $gelu_new (export "gelu_new") (param $dst i32) (param $x i32) (param $i0 i32) (param $i1 i32)
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

  ;; $gelu4 is gelu_new of four values (see gelu_new): −2u is computed as
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

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

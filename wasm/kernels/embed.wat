  ;; embed_f32, embed_f16, embed_q8, embed_q4(dst, table, ids, n, cols, rows):
  ;; dst row i (cols f32) = row ids[i] of the [rows, cols] table, widened
  ;; exactly. An id outside [0, rows) traps: the guest checks ids first.

  (func $embed_f32 (export "embed_f32")
    (param $dst i32) (param $table i32) (param $ids i32) (param $n i32) (param $cols i32) (param $rows i32)
    (local $i i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (memory.copy (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $bytes)))
        (i32.add (local.get $table) (i32.mul (call $row_id (local.get $ids) (local.get $i) (local.get $rows)) (local.get $bytes)))
        (local.get $bytes))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))

  (func $embed_f16 (export "embed_f16")
    (param $dst i32) (param $table i32) (param $ids i32) (param $n i32) (param $cols i32) (param $rows i32)
    (local $i i32) (local $c i32) (local $src i32) (local $out i32) (local $v v128)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $src (i32.add (local.get $table)
        (i32.mul (call $row_id (local.get $ids) (local.get $i) (local.get $rows)) (i32.shl (local.get $cols) (i32.const 1)))))
      (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $i) (i32.shl (local.get $cols) (i32.const 2)))))
      (local.set $c (i32.const 0))
      (block $row_done (loop $quads
        (br_if $row_done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
        (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (call $f16x4 (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $quads)))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (call $f16 (i32.load16_u (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 1))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))

  (func $embed_q8 (export "embed_q8")
    (param $dst i32) (param $table i32) (param $ids i32) (param $n i32) (param $cols i32) (param $rows i32)
    (call $embed_q (local.get $dst) (local.get $table) (local.get $ids) (local.get $n) (local.get $cols) (local.get $rows) (i32.const 5)))

  (func $embed_q4 (export "embed_q4")
    (param $dst i32) (param $table i32) (param $ids i32) (param $n i32) (param $cols i32) (param $rows i32)
    (call $embed_q (local.get $dst) (local.get $table) (local.get $ids) (local.get $n) (local.get $cols) (local.get $rows) (i32.const 4)))

  ;; $embed_q is embed for Q8 (qshift 5: 32 bytes of quants a block) or Q4
  ;; (qshift 4: 16 bytes), layout of docs/format.md.
  (func $embed_q
    (param $dst i32) (param $table i32) (param $ids i32) (param $n i32) (param $cols i32) (param $rows i32) (param $qshift i32)
    (local $i i32) (local $id i32) (local $kb i32) (local $b i32) (local $slot i32) (local $scales i32)
    (local $qa i32) (local $out i32) (local $d v128) (local $v v128) (local $u v128)
    (local.set $kb (i32.shr_u (i32.add (local.get $cols) (i32.const 31)) (i32.const 5)))
    (local.set $scales (i32.add (local.get $table) (i32.shl
      (i32.mul (i32.shr_u (i32.add (local.get $rows) (i32.const 3)) (i32.const 2)) (local.get $kb))
      (i32.add (local.get $qshift) (i32.const 2)))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $id (call $row_id (local.get $ids) (local.get $i) (local.get $rows)))
      (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $i) (i32.shl (local.get $cols) (i32.const 2)))))
      (local.set $b (i32.const 0))
      (block $row_done (loop $blocks
        (br_if $row_done (i32.ge_u (local.get $b) (local.get $kb)))
        (local.set $slot (i32.add
          (i32.shl (i32.add (i32.mul (i32.shr_u (local.get $id) (i32.const 2)) (local.get $kb)) (local.get $b)) (i32.const 2))
          (i32.and (local.get $id) (i32.const 3))))
        (local.set $qa (i32.add (local.get $table) (i32.shl (local.get $slot) (local.get $qshift))))
        (local.set $d (f32x4.splat (call $f16 (i32.load16_u
          (i32.add (local.get $scales) (i32.shl (local.get $slot) (i32.const 1)))))))
        (if (i32.eq (local.get $qshift) (i32.const 5))
          (then ;; int8 quants
            (local.set $v (v128.load (local.get $qa)))
            (local.set $u (v128.load offset=16 (local.get $qa))))
          (else ;; nibbles, minus 8: element j low nibble of byte j, j+16 the high one
            (local.set $u (v128.load (local.get $qa)))
            (local.set $v (i8x16.sub (v128.and (local.get $u) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
              (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
            (local.set $u (i8x16.sub (i8x16.shr_u (local.get $u) (i32.const 4))
              (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))))
        (call $store32 (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 7)))
          (i32.sub (local.get $cols) (i32.shl (local.get $b) (i32.const 5)))
          (call $widen8 (local.get $v) (local.get $d))
          (call $widen8 (local.get $u) (local.get $d)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $blocks)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))

  ;; $row_id returns ids[i], trapping unless it is in [0, rows).
  (func $row_id (param $ids i32) (param $i i32) (param $rows i32) (result i32)
    (local $id i32)
    (local.set $id (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))))
    (if (i32.ge_u (local.get $id) (local.get $rows)) (then (unreachable)))
    (local.get $id))

  ;; $widen8 returns the 16 int8 lanes of v, as f32 times d, in four vectors.
  (func $widen8 (param $v v128) (param $d v128) (result v128 v128 v128 v128)
    (local $lo v128) (local $hi v128)
    (local.set $lo (i16x8.extend_low_i8x16_s (local.get $v)))
    (local.set $hi (i16x8.extend_high_i8x16_s (local.get $v)))
    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $lo))) (local.get $d))
    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))) (local.get $d))
    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $hi))) (local.get $d))
    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))) (local.get $d)))

  ;; $store32 stores the first c (all when c ≥ 32) of 32 f32 at p.
  (func $store32 (param $p i32) (param $c i32)
    (param $a0 v128) (param $a1 v128) (param $a2 v128) (param $a3 v128)
    (param $a4 v128) (param $a5 v128) (param $a6 v128) (param $a7 v128)
    (call $store4 (local.get $p) (local.get $a0) (local.get $c))
    (call $store4 (i32.add (local.get $p) (i32.const 16)) (local.get $a1) (i32.sub (local.get $c) (i32.const 4)))
    (call $store4 (i32.add (local.get $p) (i32.const 32)) (local.get $a2) (i32.sub (local.get $c) (i32.const 8)))
    (call $store4 (i32.add (local.get $p) (i32.const 48)) (local.get $a3) (i32.sub (local.get $c) (i32.const 12)))
    (call $store4 (i32.add (local.get $p) (i32.const 64)) (local.get $a4) (i32.sub (local.get $c) (i32.const 16)))
    (call $store4 (i32.add (local.get $p) (i32.const 80)) (local.get $a5) (i32.sub (local.get $c) (i32.const 20)))
    (call $store4 (i32.add (local.get $p) (i32.const 96)) (local.get $a6) (i32.sub (local.get $c) (i32.const 24)))
    (call $store4 (i32.add (local.get $p) (i32.const 112)) (local.get $a7) (i32.sub (local.get $c) (i32.const 28))))

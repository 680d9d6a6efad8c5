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

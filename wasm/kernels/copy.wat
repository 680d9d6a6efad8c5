  ;; copy(dst, src, bytes): memory copy (overlapping ranges as memmove).
  (func $copy (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))

  ;; copy_f16(dst, src, count, flag): the count f32 at src rounded to
  ;; binary16 at dst (2·count bytes), as tensor.F32ToF16 rounds: to nearest,
  ;; ties to even, ±Inf past the largest finite value, NaN to the quiet NaN
  ;; 0x7e00 with its sign, subnormal results exact. Eight values at a time,
  ;; then one at a time through the same vector code. Where a result is Inf
  ;; or NaN (exponent bits all set) it stores 1 in the i32 at flag
  ;; (attention_f16 reads it).
  (func $copy_f16 (export "copy_f16") (param $dst i32) (param $src i32) (param $count i32) (param $flag i32)
    (local $i i32) (local $r v128) (local $special v128)
    (block $eights_done (loop $eights
      (br_if $eights_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $count)))
      (v128.store align=2 (local.get $dst) (local.tee $r (i16x8.narrow_i32x4_u
        (call $f16_round4 (v128.load align=4 (local.get $src)))
        (call $f16_round4 (v128.load offset=16 align=4 (local.get $src))))))
      (local.set $special (v128.or (local.get $special)
        (i16x8.eq (v128.and (local.get $r) (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))
          (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))))
      (local.set $src (i32.add (local.get $src) (i32.const 32)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $eights)))
    (block $ones_done (loop $ones
      (br_if $ones_done (i32.ge_u (local.get $i) (local.get $count)))
      (i32.store16 align=2 (local.get $dst)
        (i32x4.extract_lane 0 (local.tee $r (call $f16_round4 (v128.load32_splat align=4 (local.get $src))))))
      (local.set $special (v128.or (local.get $special)
        (i16x8.eq (v128.and (local.get $r) (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))
          (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $ones)))
    (if (v128.any_true (local.get $special)) (then (i32.store (local.get $flag) (i32.const 1)))))

  ;; $f16_round4 returns the binary16 bits (in the low half of each i32
  ;; lane) of the four f32 in x, rounded as copy_f16 says. With a = |x|'s
  ;; bits:
  ;;   a ≥ 2^-14 (normal): rebias the exponent (a − 112·2^23) and add 0xfff plus
  ;;     the lowest kept bit, and drop the 13 low bits: ties go to even, and a
  ;;     carry out of the mantissa steps the exponent, up to Inf;
  ;;   a < 2^-14 (subnormal or zero): |x| + 0.5 in float32 rounds |x| to a
  ;;     multiple of 2^-24 (0.5's ulp), the f16 subnormal step, by the
  ;;     hardware's ties-to-even; its low bits are the f16 result (0x400,
  ;;     the least normal, when it rounds up that far);
  ;;   a ≥ 0x477ff000 (65520, halfway past 65504, rounds to Inf): 0x7c00;
  ;;   a > 0x7f800000 (NaN): 0x7e00.
  (func $f16_round4 (param $x v128) (result v128)
    (local $a v128) (local $r v128)
    (local.set $a (v128.and (local.get $x) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
    (local.set $r (i32x4.sub
      (f32x4.add (local.get $a) (v128.const f32x4 0.5 0.5 0.5 0.5))
      (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000)))
    (local.set $r (v128.bitselect
      (i32x4.shr_u
        (i32x4.add
          (i32x4.sub (local.get $a) (v128.const i32x4 0x37fff001 0x37fff001 0x37fff001 0x37fff001))
          (v128.and (i32x4.shr_u (local.get $a) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
        (i32.const 13))
      (local.get $r)
      (i32x4.ge_s (local.get $a) (v128.const i32x4 0x38800000 0x38800000 0x38800000 0x38800000))))
    (local.set $r (v128.bitselect (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00) (local.get $r)
      (i32x4.ge_s (local.get $a) (v128.const i32x4 0x477ff000 0x477ff000 0x477ff000 0x477ff000))))
    (local.set $r (v128.bitselect (v128.const i32x4 0x7e00 0x7e00 0x7e00 0x7e00) (local.get $r)
      (i32x4.gt_s (local.get $a) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
    (v128.or (local.get $r)
      (v128.and (i32x4.shr_u (local.get $x) (i32.const 16)) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000))))

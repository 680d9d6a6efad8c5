  ;; The 8-bit KV cache (KVQ8, runtime/tensor/kvq8.go): a cache of P
  ;; positions and d = H·head_dim columns holds int8 values head by head
  ;; (value c of head h at position p is byte (h·P + p)·head_dim + c), then
  ;; P·H f32 scales (scale of head h at position p is number h·P + p).

  ;; copy_kvq8(dst, src, positions, row, n, d, head_dim): quantizes the n
  ;; rows of d f32 at src into positions row… of the KVQ8 cache at dst, each
  ;; head of each row as tensor.QuantizeKVQ8 does, bit for bit: s = amax/127,
  ;; q = x/s rounded half away from zero, clamped to ±127 (all zero when
  ;; amax is 0). head_dim must be a multiple of 4.
  (func $copy_kvq8 (export "copy_kvq8")
    (param $dst i32) (param $src i32) (param $positions i32) (param $row i32) (param $n i32) (param $d i32) (param $head_dim i32)
    (local $hb i32) (local $heads i32) (local $r i32) (local $h i32) (local $x i32) (local $c i32) (local $slot i32) (local $out i32)
    (local $amax v128) (local $dv v128) (local $y v128) (local $t v128) (local $f f32)
    (local.set $hb (i32.shl (local.get $head_dim) (i32.const 2)))
    (local.set $heads (i32.div_u (local.get $d) (local.get $head_dim)))
    (local.set $x (local.get $src))
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $h (i32.const 0))
      (block $heads_done (loop $heads_loop
        (br_if $heads_done (i32.ge_u (local.get $h) (local.get $heads)))
        (local.set $slot (i32.add (i32.mul (local.get $h) (local.get $positions)) (i32.add (local.get $row) (local.get $r))))
        (local.set $amax (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (loop $abs
          (local.set $amax (f32x4.max (local.get $amax) (f32x4.abs (v128.load align=4 (i32.add (local.get $x) (local.get $c))))))
          (br_if $abs (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
        (local.set $f (f32.div (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $amax)) (f32x4.extract_lane 1 (local.get $amax)))
          (f32.max (f32x4.extract_lane 2 (local.get $amax)) (f32x4.extract_lane 3 (local.get $amax)))) (f32.const 127)))
        (f32.store (i32.add (i32.add (local.get $dst) (i32.mul (local.get $positions) (local.get $d))) (i32.shl (local.get $slot) (i32.const 2)))
          (local.get $f))
        ;; an all-zero head divides by 1 instead of 0 and stays zero
        (local.set $dv (f32x4.splat (select (f32.const 1) (local.get $f) (f32.eq (local.get $f) (f32.const 0)))))
        (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $slot) (local.get $head_dim))))
        (local.set $c (i32.const 0))
        (loop $quant
          (local.set $y (f32x4.div (v128.load align=4 (i32.add (local.get $x) (local.get $c))) (local.get $dv)))
          ;; round half away: trunc(y) plus sign(y) where |y − trunc(y)| ≥ ½
          ;; (y − trunc(y) is exact)
          (local.set $t (f32x4.trunc (local.get $y)))
          (local.set $t (f32x4.add (local.get $t)
            (v128.and
              (f32x4.ge (f32x4.abs (f32x4.sub (local.get $y) (local.get $t))) (v128.const f32x4 0.5 0.5 0.5 0.5))
              (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                (v128.const f32x4 1 1 1 1)))))
          (local.set $t (i32x4.trunc_sat_f32x4_s
            (f32x4.min (f32x4.max (local.get $t) (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127))))
          (local.set $t (i16x8.narrow_i32x4_s (local.get $t) (local.get $t)))
          (v128.store32_lane align=1 0 (i32.add (local.get $out) (i32.shr_u (local.get $c) (i32.const 2)))
            (i8x16.narrow_i16x8_s (local.get $t) (local.get $t)))
          (br_if $quant (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
        (local.set $x (i32.add (local.get $x) (local.get $hb)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $heads_loop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; attention_kvq8(dst, q, k, v, pos0, n, d, head_dim, scale, h0, h1,
  ;; positions, scratch): attention's causal attention (attention.wat) of
  ;; the n query rows of q (f32, d columns, heads side by side) over the
  ;; KVQ8 caches k and v of positions rows, for heads [h0, h1). head_dim must
  ;; be a multiple of 4, at most 256. Query t of head h:
  ;;   q is quantized to int16 (qs = max|q|/32767, q' = round(q/qs)), so
  ;;   s_i = Σ_c q'_c·k_ic exactly in i32 (i32x4.dot_i16x8_s), times
  ;;   qs·ks_i·scale; this moves s_i by at most scale·ks_i·Σ_c|k_ic|·qs/2;
  ;;   e_i = e^(s_i − max s) with attention's exp;
  ;;   out = (Σ_i (e_i·vs_i)·v_i)·(1/Σ_i e_i) in f32, in order of i.
  ;; scratch holds positions f32 (scores), 16-aligned, then head_dim + 4
  ;; i16. dst may be q.
  (func $attention_kvq8 (export "attention_kvq8")
    (param $dst i32) (param $q i32) (param $k i32) (param $v i32) (param $pos0 i32) (param $n i32)
    (param $d i32) (param $head_dim i32) (param $scale i32) (param $h0 i32) (param $h1 i32) (param $positions i32) (param $scratch i32)
    (local $rowb i32) (local $hb i32) (local $q16 i32) (local $t i32) (local $keys i32) (local $i i32) (local $c i32)
    (local $qa i32) (local $kh i32) (local $ks i32) (local $vh i32) (local $vs i32) (local $sp i32) (local $op i32)
    (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $qv v128) (local $fac v128) (local $bestv v128) (local $sumv v128)
    (local $f f32) (local $best f32) (local $er v128) (local $en v128) (local $ep v128)
    (local.set $rowb (i32.shl (local.get $d) (i32.const 2)))
    (local.set $hb (i32.shl (local.get $head_dim) (i32.const 2)))
    (local.set $q16 (i32.add (local.get $scratch) (i32.and (i32.add (i32.shl (local.get $positions) (i32.const 2)) (i32.const 15)) (i32.const -16))))
    ;; q16's padding to a multiple of 8 stays zero, so keys are read 8 at a
    ;; time (the bytes past a key's end meet zeros)
    (i64.store (i32.add (local.get $q16) (i32.shl (local.get $head_dim) (i32.const 1))) (i64.const 0))
    (block $heads_done (loop $heads
      (br_if $heads_done (i32.ge_u (local.get $h0) (local.get $h1)))
      (local.set $kh (i32.add (local.get $k) (i32.mul (i32.mul (local.get $h0) (local.get $positions)) (local.get $head_dim))))
      (local.set $vh (i32.add (local.get $v) (i32.mul (i32.mul (local.get $h0) (local.get $positions)) (local.get $head_dim))))
      (local.set $ks (i32.add (i32.add (local.get $k) (i32.mul (local.get $positions) (local.get $d)))
        (i32.shl (i32.mul (local.get $h0) (local.get $positions)) (i32.const 2))))
      (local.set $vs (i32.add (i32.add (local.get $v) (i32.mul (local.get $positions) (local.get $d)))
        (i32.shl (i32.mul (local.get $h0) (local.get $positions)) (i32.const 2))))
      (local.set $t (i32.const 0))
      (block $queries_done (loop $queries
        (br_if $queries_done (i32.ge_u (local.get $t) (local.get $n)))
        (local.set $keys (i32.add (i32.add (local.get $pos0) (local.get $t)) (i32.const 1)))
        (local.set $qa (i32.add (i32.add (local.get $q) (i32.mul (local.get $t) (local.get $rowb))) (i32.mul (local.get $h0) (local.get $hb))))
        ;; q as int16, and the factor qs·scale
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (loop $qabs
          (local.set $s0 (f32x4.max (local.get $s0) (f32x4.abs (v128.load align=4 (i32.add (local.get $qa) (local.get $c))))))
          (br_if $qabs (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
        (local.set $f (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
          (f32.max (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
        (local.set $fac (f32x4.splat (f32.mul (f32.div (local.get $f) (f32.const 32767)) (f32.reinterpret_i32 (local.get $scale)))))
        (local.set $qv (f32x4.splat (select (f32.const 0) (f32.div (f32.const 32767) (local.get $f)) (f32.eq (local.get $f) (f32.const 0)))))
        (local.set $c (i32.const 0))
        (loop $qquant
          (local.set $s1 (i32x4.trunc_sat_f32x4_s (f32x4.nearest
            (f32x4.mul (v128.load align=4 (i32.add (local.get $qa) (local.get $c))) (local.get $qv)))))
          (v128.store64_lane align=2 0 (i32.add (local.get $q16) (i32.shr_u (local.get $c) (i32.const 1)))
            (i16x8.narrow_i32x4_s (local.get $s1) (local.get $s1)))
          (br_if $qquant (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
        ;; scores, four keys at a time, then one
        (local.set $bestv (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $best (f32.const -inf))
        (local.set $i (i32.const 0))
        (block $quads_done (loop $quads
          (br_if $quads_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $keys)))
          (local.set $k0 (i32.add (local.get $kh) (i32.mul (local.get $i) (local.get $head_dim))))
          (local.set $k1 (i32.add (local.get $k0) (local.get $head_dim)))
          (local.set $k2 (i32.add (local.get $k1) (local.get $head_dim)))
          (local.set $k3 (i32.add (local.get $k2) (local.get $head_dim)))
          (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
          (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
          (local.set $c (i32.const 0))
          (loop $dims
            (local.set $qv (v128.load (i32.add (local.get $q16) (i32.shl (local.get $c) (i32.const 1)))))
            (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s (v128.load8x8_s align=1 (i32.add (local.get $k0) (local.get $c))) (local.get $qv))))
            (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s (v128.load8x8_s align=1 (i32.add (local.get $k1) (local.get $c))) (local.get $qv))))
            (local.set $s2 (i32x4.add (local.get $s2) (i32x4.dot_i16x8_s (v128.load8x8_s align=1 (i32.add (local.get $k2) (local.get $c))) (local.get $qv))))
            (local.set $s3 (i32x4.add (local.get $s3) (i32x4.dot_i16x8_s (v128.load8x8_s align=1 (i32.add (local.get $k3) (local.get $c))) (local.get $qv))))
            (br_if $dims (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 8))) (local.get $head_dim))))
          ;; [Σ s0, Σ s1, Σ s2, Σ s3]
          (local.set $s0 (i32x4.add
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
          (local.set $s2 (i32x4.add
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s2) (local.get $s3))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s2) (local.get $s3))))
          (local.set $s0 (i32x4.add
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s0) (local.get $s2))
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s0) (local.get $s2))))
          (local.set $s0 (f32x4.mul (f32x4.convert_i32x4_s (local.get $s0))
            (f32x4.mul (v128.load align=4 (i32.add (local.get $ks) (i32.shl (local.get $i) (i32.const 2)))) (local.get $fac))))
          (v128.store align=4 (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 2))) (local.get $s0))
          (local.set $bestv (f32x4.max (local.get $bestv) (local.get $s0)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $quads)))
        (block $ones_done (loop $ones
          (br_if $ones_done (i32.ge_u (local.get $i) (local.get $keys)))
          (local.set $k0 (i32.add (local.get $kh) (i32.mul (local.get $i) (local.get $head_dim))))
          (local.set $s0 (v128.const i32x4 0 0 0 0))
          (local.set $c (i32.const 0))
          (loop $dims1
            (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
              (v128.load8x8_s align=1 (i32.add (local.get $k0) (local.get $c)))
              (v128.load (i32.add (local.get $q16) (i32.shl (local.get $c) (i32.const 1)))))))
            (br_if $dims1 (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 8))) (local.get $head_dim))))
          (local.set $f (f32.mul (f32.convert_i32_s (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $s0)) (i32x4.extract_lane 1 (local.get $s0)))
              (i32.add (i32x4.extract_lane 2 (local.get $s0)) (i32x4.extract_lane 3 (local.get $s0)))))
            (f32.mul (f32.load (i32.add (local.get $ks) (i32.shl (local.get $i) (i32.const 2)))) (f32x4.extract_lane 0 (local.get $fac)))))
          (f32.store (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 2))) (local.get $f))
          (local.set $best (f32.max (local.get $best) (local.get $f)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $ones)))
        (local.set $best (f32.max (local.get $best) (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $bestv)) (f32x4.extract_lane 1 (local.get $bestv)))
          (f32.max (f32x4.extract_lane 2 (local.get $bestv)) (f32x4.extract_lane 3 (local.get $bestv))))))
        ;; e_i·vs_i in place, with e_i = e^(s_i − max) (attention's exp,
        ;; inlined for whole quads) summed in $sumv; 1/Σ e_i scales the sums
        (local.set $bestv (f32x4.splat (local.get $best)))
        (local.set $sumv (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $exp_done (loop $exps
          (br_if $exp_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $keys)))
          (local.set $sp (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $er (f32x4.min (f32x4.max (f32x4.sub (v128.load align=4 (local.get $sp)) (local.get $bestv)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 89 89 89 89)))
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
          (local.set $sumv (f32x4.add (local.get $sumv) (local.get $ep)))
          (v128.store align=4 (local.get $sp)
            (f32x4.mul (local.get $ep) (v128.load align=4 (i32.add (local.get $vs) (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $exps)))
        (if (i32.lt_u (local.get $i) (local.get $keys)) (then
          (local.set $sp (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $c (i32.sub (local.get $keys) (local.get $i)))
          (local.set $ep (v128.and (call $exp4 (f32x4.sub (call $load4 (local.get $sp) (local.get $c)) (local.get $bestv)))
            (call $lanes_below (local.get $c))))
          (local.set $sumv (f32x4.add (local.get $sumv) (local.get $ep)))
          (call $store4 (local.get $sp)
            (f32x4.mul (local.get $ep) (call $load4 (i32.add (local.get $vs) (i32.shl (local.get $i) (i32.const 2))) (local.get $c)))
            (local.get $c))))
        (local.set $s1 (f32x4.splat (f32.div (f32.const 1) (call $hsum_f32 (local.get $sumv)))))
        ;; out = (Σ_i e_i·vs_i·v_i)/Σ e_i, 16 columns a sweep, then 4
        (local.set $op (i32.add (i32.add (local.get $dst) (i32.mul (local.get $t) (local.get $rowb))) (i32.mul (local.get $h0) (local.get $hb))))
        (local.set $c (i32.const 0))
        (block $wide_done (loop $wide
          (br_if $wide_done (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $head_dim)))
          (call $vsum_q8_16 (i32.add (local.get $op) (i32.shl (local.get $c) (i32.const 2))) (i32.add (local.get $vh) (local.get $c))
            (local.get $scratch) (local.get $keys) (local.get $head_dim) (local.get $s1))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $wide)))
        (block $narrow_done (loop $narrow
          (br_if $narrow_done (i32.ge_u (local.get $c) (local.get $head_dim)))
          (call $vsum_q8_4 (i32.add (local.get $op) (i32.shl (local.get $c) (i32.const 2))) (i32.add (local.get $vh) (local.get $c))
            (local.get $scratch) (local.get $keys) (local.get $head_dim) (local.get $s1))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $narrow)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $queries)))
      (local.set $h0 (i32.add (local.get $h0) (i32.const 1)))
      (br $heads))))

  ;; $lanes_below is a mask of the lanes below c (all four for c ≥ 4).
  (func $lanes_below (param $c i32) (result v128)
    (i32x4.gt_s (i32x4.splat (local.get $c)) (v128.const i32x4 0 1 2 3)))

  ;; $vsum_q8_16 writes norm·Σ_i w_i·v_i for 16 int8 columns at v (keys
  ;; stride bytes apart) to the f32 at out, summing in order of i.
  (func $vsum_q8_16 (param $out i32) (param $v i32) (param $w i32) (param $keys i32) (param $stride i32) (param $norm v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $x v128) (local $lo v128) (local $hi v128) (local $u v128)
    (local $end i32)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $keys) (i32.const 2))))
    (loop $keys_loop
      (local.set $u (v128.load32_splat (local.get $w)))
      (local.set $x (v128.load align=1 (local.get $v)))
      (local.set $lo (i16x8.extend_low_i8x16_s (local.get $x)))
      (local.set $hi (i16x8.extend_high_i8x16_s (local.get $x)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $lo))) (local.get $u))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))) (local.get $u))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $hi))) (local.get $u))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))) (local.get $u))))
      (local.set $v (i32.add (local.get $v) (local.get $stride)))
      (br_if $keys_loop (i32.lt_u (local.tee $w (i32.add (local.get $w) (i32.const 4))) (local.get $end))))
    (v128.store align=4 (local.get $out) (f32x4.mul (local.get $a0) (local.get $norm)))
    (v128.store offset=16 align=4 (local.get $out) (f32x4.mul (local.get $a1) (local.get $norm)))
    (v128.store offset=32 align=4 (local.get $out) (f32x4.mul (local.get $a2) (local.get $norm)))
    (v128.store offset=48 align=4 (local.get $out) (f32x4.mul (local.get $a3) (local.get $norm))))

  ;; $vsum_q8_4 is $vsum_q8_16 for 4 columns.
  (func $vsum_q8_4 (param $out i32) (param $v i32) (param $w i32) (param $keys i32) (param $stride i32) (param $norm v128)
    (local $a0 v128) (local $end i32)
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $keys) (i32.const 2))))
    (loop $keys_loop
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
        (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (v128.load32_zero align=1 (local.get $v)))))
        (v128.load32_splat (local.get $w)))))
      (local.set $v (i32.add (local.get $v) (local.get $stride)))
      (br_if $keys_loop (i32.lt_u (local.tee $w (i32.add (local.get $w) (i32.const 4))) (local.get $end))))
    (v128.store align=4 (local.get $out) (f32x4.mul (local.get $a0) (local.get $norm))))

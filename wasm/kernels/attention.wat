  ;; attention(dst, q, k, v, pos0, n, d, head_dim, scale, h0, h1, scratch):
  ;; causal attention of the n query rows of q (tokens at positions pos0,
  ;; pos0+1, …) over the cache rows of k and v (row = position), for heads
  ;; [h0, h1). Rows of q, k, v and dst hold d f32, heads side by side;
  ;; head_dim must be a multiple of 4. Query t of head h:
  ;;   s_i = dot(k_i, q)·scale for i ≤ pos0 + t (the reference's dot order),
  ;;   w_i = e^(s_i − max s) / Σ e^(s_j − max s) with the SIMD exp ($exp4),
  ;;   out = Σ_i w_i·v_i, summed in order of i.
  ;; The cache is read row by row: keys i…i+7 for every head of the job,
  ;; then the next eight, and values four rows at a time for every head,
  ;; summed into dst. So each row's heads [h0, h1) are one run of memory,
  ;; which the hardware prefetches; a head alone is 4·head_dim bytes a whole
  ;; row apart, which it does not follow. scratch holds, for each of the
  ;; h1 − h0 heads, a vector of its running max, then for each its
  ;; pos0 + n scores, rounded up to a multiple of 4 (AttentionScratch in
  ;; kernels.go). dst may be q.
  (func $attention (export "attention")
    (param $dst i32) (param $q i32) (param $k i32) (param $v i32) (param $pos0 i32) (param $n i32)
    (param $d i32) (param $head_dim i32) (param $scale i32) (param $h0 i32) (param $h1 i32) (param $scratch i32)
    (local $rowb i32) (local $hb i32) (local $t i32) (local $keys i32) (local $i i32) (local $c i32) (local $h i32) (local $nh i32)
    (local $qrow i32) (local $qa i32) (local $koff i32) (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $k4 i32) (local $k5 i32) (local $k6 i32) (local $k7 i32)
    (local $sbase i32) (local $sstride i32) (local $bv i32) (local $sh i32) (local $sp i32) (local $op i32) (local $vp i32) (local $end i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $qv v128)
    (local $sc v128) (local $bestv v128) (local $sumv v128) (local $ab v128) (local $cd v128)
    (local $er v128) (local $en v128) (local $ep v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $vp2 i32) (local $rowb2 i32)
    (local $best f32) (local $f f32) (local $sum f32)
    (if (i32.ge_u (local.get $h0) (local.get $h1)) (then (return)))
    (local.set $rowb (i32.shl (local.get $d) (i32.const 2)))
    (local.set $hb (i32.shl (local.get $head_dim) (i32.const 2)))
    (local.set $rowb2 (i32.shl (local.get $rowb) (i32.const 1)))
    (local.set $sc (i32x4.splat (local.get $scale)))
    (local.set $nh (i32.sub (local.get $h1) (local.get $h0)))
    (local.set $koff (i32.mul (local.get $h0) (local.get $hb)))
    (local.set $sstride (i32.and (i32.add (i32.shl (i32.add (local.get $pos0) (local.get $n)) (i32.const 2)) (i32.const 15)) (i32.const -16)))
    (local.set $sbase (i32.add (local.get $scratch) (i32.shl (local.get $nh) (i32.const 4))))
    (local.set $t (i32.const 0))
    (block $queries_done (loop $queries
      (br_if $queries_done (i32.ge_u (local.get $t) (local.get $n)))
      (local.set $keys (i32.add (i32.add (local.get $pos0) (local.get $t)) (i32.const 1)))
      (local.set $qrow (i32.add (local.get $q) (i32.mul (local.get $t) (local.get $rowb))))
      ;; every head's running max starts at −inf
      (local.set $bv (local.get $scratch))
      (local.set $end (local.get $sbase))
      (loop $maxes
        (v128.store (local.get $bv) (v128.const f32x4 -inf -inf -inf -inf))
        (br_if $maxes (i32.lt_u (local.tee $bv (i32.add (local.get $bv) (i32.const 16))) (local.get $end))))
      ;; scores, eight keys at a time for every head, then four, then one
      (local.set $i (i32.const 0))
        (block $octs_done (loop $octs
          (br_if $octs_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $keys)))
          (local.set $k0 (i32.add (i32.add (local.get $k) (i32.mul (local.get $i) (local.get $rowb))) (local.get $koff)))
          (local.set $k1 (i32.add (local.get $k0) (local.get $rowb)))
          (local.set $k2 (i32.add (local.get $k1) (local.get $rowb)))
          (local.set $k3 (i32.add (local.get $k2) (local.get $rowb)))
          (local.set $k4 (i32.add (local.get $k3) (local.get $rowb)))
          (local.set $k5 (i32.add (local.get $k4) (local.get $rowb)))
          (local.set $k6 (i32.add (local.get $k5) (local.get $rowb)))
          (local.set $k7 (i32.add (local.get $k6) (local.get $rowb)))
          (local.set $qa (i32.add (local.get $qrow) (local.get $koff)))
          (local.set $sp (i32.add (local.get $sbase) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $bv (local.get $scratch))
          (local.set $h (i32.const 0))
          (loop $octs_heads
            (local.set $s0 (v128.const i32x4 0 0 0 0))
            (local.set $s1 (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0))
            (local.set $s3 (v128.const i32x4 0 0 0 0))
            (local.set $s4 (v128.const i32x4 0 0 0 0))
            (local.set $s5 (v128.const i32x4 0 0 0 0))
            (local.set $s6 (v128.const i32x4 0 0 0 0))
            (local.set $s7 (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (loop $octs_dims
              (local.set $qv (v128.load align=4 (i32.add (local.get $qa) (local.get $c))))
              (local.set $s0 (f32x4.add (local.get $s0)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k0) (local.get $c))) (local.get $qv))))
              (local.set $s1 (f32x4.add (local.get $s1)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k1) (local.get $c))) (local.get $qv))))
              (local.set $s2 (f32x4.add (local.get $s2)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k2) (local.get $c))) (local.get $qv))))
              (local.set $s3 (f32x4.add (local.get $s3)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k3) (local.get $c))) (local.get $qv))))
              (local.set $s4 (f32x4.add (local.get $s4)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k4) (local.get $c))) (local.get $qv))))
              (local.set $s5 (f32x4.add (local.get $s5)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k5) (local.get $c))) (local.get $qv))))
              (local.set $s6 (f32x4.add (local.get $s6)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k6) (local.get $c))) (local.get $qv))))
              (local.set $s7 (f32x4.add (local.get $s7)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k7) (local.get $c))) (local.get $qv))))
              (br_if $octs_dims (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
            (local.set $s0 (f32x4.mul (f32x4.add
              (i64x2.replace_lane 1
                (local.tee $ab (v128.or
                  (v128.and (f32x4.add (local.get $s0) (i64x2.shr_u (local.get $s0) (i32.const 32))) (v128.const i32x4 -1 0 -1 0))
                  (v128.and (f32x4.add (local.get $s1) (i64x2.shl (local.get $s1) (i32.const 32))) (v128.const i32x4 0 -1 0 -1))))
                (i64x2.extract_lane 0 (local.tee $cd (v128.or
                  (v128.and (f32x4.add (local.get $s2) (i64x2.shr_u (local.get $s2) (i32.const 32))) (v128.const i32x4 -1 0 -1 0))
                  (v128.and (f32x4.add (local.get $s3) (i64x2.shl (local.get $s3) (i32.const 32))) (v128.const i32x4 0 -1 0 -1))))))
              (i64x2.replace_lane 0 (local.get $cd) (i64x2.extract_lane 1 (local.get $ab))))
            (local.get $sc)))
            (v128.store align=4 (local.get $sp) (local.get $s0))
            (local.set $s4 (f32x4.mul (f32x4.add
              (i64x2.replace_lane 1
                (local.tee $ab (v128.or
                  (v128.and (f32x4.add (local.get $s4) (i64x2.shr_u (local.get $s4) (i32.const 32))) (v128.const i32x4 -1 0 -1 0))
                  (v128.and (f32x4.add (local.get $s5) (i64x2.shl (local.get $s5) (i32.const 32))) (v128.const i32x4 0 -1 0 -1))))
                (i64x2.extract_lane 0 (local.tee $cd (v128.or
                  (v128.and (f32x4.add (local.get $s6) (i64x2.shr_u (local.get $s6) (i32.const 32))) (v128.const i32x4 -1 0 -1 0))
                  (v128.and (f32x4.add (local.get $s7) (i64x2.shl (local.get $s7) (i32.const 32))) (v128.const i32x4 0 -1 0 -1))))))
              (i64x2.replace_lane 0 (local.get $cd) (i64x2.extract_lane 1 (local.get $ab))))
            (local.get $sc)))
            (v128.store offset=16 align=4 (local.get $sp) (local.get $s4))
            (v128.store (local.get $bv) (f32x4.max (f32x4.max (v128.load (local.get $bv)) (local.get $s0)) (local.get $s4)))
            (local.set $k0 (i32.add (local.get $k0) (local.get $hb)))
            (local.set $k1 (i32.add (local.get $k1) (local.get $hb)))
            (local.set $k2 (i32.add (local.get $k2) (local.get $hb)))
            (local.set $k3 (i32.add (local.get $k3) (local.get $hb)))
            (local.set $k4 (i32.add (local.get $k4) (local.get $hb)))
            (local.set $k5 (i32.add (local.get $k5) (local.get $hb)))
            (local.set $k6 (i32.add (local.get $k6) (local.get $hb)))
            (local.set $k7 (i32.add (local.get $k7) (local.get $hb)))
            (local.set $qa (i32.add (local.get $qa) (local.get $hb)))
            (local.set $sp (i32.add (local.get $sp) (local.get $sstride)))
            (local.set $bv (i32.add (local.get $bv) (i32.const 16)))
            (br_if $octs_heads (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nh))))
          (local.set $i (i32.add (local.get $i) (i32.const 8)))
          (br $octs)))
        (block $quads_done (loop $quads
          (br_if $quads_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $keys)))
          (local.set $k0 (i32.add (i32.add (local.get $k) (i32.mul (local.get $i) (local.get $rowb))) (local.get $koff)))
          (local.set $k1 (i32.add (local.get $k0) (local.get $rowb)))
          (local.set $k2 (i32.add (local.get $k1) (local.get $rowb)))
          (local.set $k3 (i32.add (local.get $k2) (local.get $rowb)))
          (local.set $qa (i32.add (local.get $qrow) (local.get $koff)))
          (local.set $sp (i32.add (local.get $sbase) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $bv (local.get $scratch))
          (local.set $h (i32.const 0))
          (loop $quads_heads
            (local.set $s0 (v128.const i32x4 0 0 0 0))
            (local.set $s1 (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0))
            (local.set $s3 (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (loop $quads_dims
              (local.set $qv (v128.load align=4 (i32.add (local.get $qa) (local.get $c))))
              (local.set $s0 (f32x4.add (local.get $s0)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k0) (local.get $c))) (local.get $qv))))
              (local.set $s1 (f32x4.add (local.get $s1)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k1) (local.get $c))) (local.get $qv))))
              (local.set $s2 (f32x4.add (local.get $s2)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k2) (local.get $c))) (local.get $qv))))
              (local.set $s3 (f32x4.add (local.get $s3)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k3) (local.get $c))) (local.get $qv))))
              (br_if $quads_dims (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
            (local.set $s0 (f32x4.mul (f32x4.add
              (i64x2.replace_lane 1
                (local.tee $ab (v128.or
                  (v128.and (f32x4.add (local.get $s0) (i64x2.shr_u (local.get $s0) (i32.const 32))) (v128.const i32x4 -1 0 -1 0))
                  (v128.and (f32x4.add (local.get $s1) (i64x2.shl (local.get $s1) (i32.const 32))) (v128.const i32x4 0 -1 0 -1))))
                (i64x2.extract_lane 0 (local.tee $cd (v128.or
                  (v128.and (f32x4.add (local.get $s2) (i64x2.shr_u (local.get $s2) (i32.const 32))) (v128.const i32x4 -1 0 -1 0))
                  (v128.and (f32x4.add (local.get $s3) (i64x2.shl (local.get $s3) (i32.const 32))) (v128.const i32x4 0 -1 0 -1))))))
              (i64x2.replace_lane 0 (local.get $cd) (i64x2.extract_lane 1 (local.get $ab))))
            (local.get $sc)))
            (v128.store align=4 (local.get $sp) (local.get $s0))
            (v128.store (local.get $bv) (f32x4.max (v128.load (local.get $bv)) (local.get $s0)))
            (local.set $k0 (i32.add (local.get $k0) (local.get $hb)))
            (local.set $k1 (i32.add (local.get $k1) (local.get $hb)))
            (local.set $k2 (i32.add (local.get $k2) (local.get $hb)))
            (local.set $k3 (i32.add (local.get $k3) (local.get $hb)))
            (local.set $qa (i32.add (local.get $qa) (local.get $hb)))
            (local.set $sp (i32.add (local.get $sp) (local.get $sstride)))
            (local.set $bv (i32.add (local.get $bv) (i32.const 16)))
            (br_if $quads_heads (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nh))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $quads)))
        (block $ones_done (loop $ones
          (br_if $ones_done (i32.ge_u (local.get $i) (local.get $keys)))
          (local.set $k0 (i32.add (i32.add (local.get $k) (i32.mul (local.get $i) (local.get $rowb))) (local.get $koff)))
          (local.set $qa (i32.add (local.get $qrow) (local.get $koff)))
          (local.set $sp (i32.add (local.get $sbase) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $bv (local.get $scratch))
          (local.set $h (i32.const 0))
          (loop $ones_heads
            (local.set $s0 (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (loop $dims1
              (local.set $s0 (f32x4.add (local.get $s0)
                (f32x4.mul (v128.load align=4 (i32.add (local.get $k0) (local.get $c)))
                  (v128.load align=4 (i32.add (local.get $qa) (local.get $c))))))
              (br_if $dims1 (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $hb))))
            (local.set $f (f32.mul (call $hsum_f32 (local.get $s0)) (f32.reinterpret_i32 (local.get $scale))))
            (f32.store (local.get $sp) (local.get $f))
            (v128.store (local.get $bv) (f32x4.max (v128.load (local.get $bv)) (f32x4.splat (local.get $f))))
            (local.set $k0 (i32.add (local.get $k0) (local.get $hb)))
            (local.set $qa (i32.add (local.get $qa) (local.get $hb)))
            (local.set $sp (i32.add (local.get $sp) (local.get $sstride)))
            (local.set $bv (i32.add (local.get $bv) (i32.const 16)))
            (br_if $ones_heads (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nh))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $ones)))
      ;; each head's softmax over its scores, in place
      (local.set $sh (local.get $sbase))
      (local.set $bv (local.get $scratch))
      (local.set $h (i32.const 0))
      (loop $softmax
        (local.set $bestv (v128.load (local.get $bv)))
        (local.set $best (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $bestv)) (f32x4.extract_lane 1 (local.get $bestv)))
          (f32.max (f32x4.extract_lane 2 (local.get $bestv)) (f32x4.extract_lane 3 (local.get $bestv)))))
          ;; e^(s − max) in place, and their sum
          (local.set $bestv (f32x4.splat (local.get $best)))
          (local.set $sumv (v128.const i32x4 0 0 0 0))
          (local.set $i (i32.const 0))
          (block $exp_done (loop $exps
            (br_if $exp_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $keys)))
            (local.set $sp (i32.add (local.get $sh) (i32.shl (local.get $i) (i32.const 2))))
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
            (v128.store align=4 (local.get $sp) (local.get $ep))
            (local.set $sumv (f32x4.add (local.get $sumv) (local.get $ep)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $exps)))
          (local.set $sum (call $hsum_f32 (local.get $sumv)))
          (block $exp1_done (loop $exps1
            (br_if $exp1_done (i32.ge_u (local.get $i) (local.get $keys)))
            (local.set $sp (i32.add (local.get $sh) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $f (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (f32.sub (f32.load (local.get $sp)) (local.get $best))))))
            (f32.store (local.get $sp) (local.get $f))
            (local.set $sum (f32.add (local.get $sum) (local.get $f)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $exps1)))
          ;; weights w_i = e_i · (1/Σ)
          (local.set $f (f32.div (f32.const 1) (local.get $sum)))
          (local.set $i (i32.const 0))
          (block $w_done (loop $ws
            (br_if $w_done (i32.ge_u (local.get $i) (local.get $keys)))
            (local.set $sp (i32.add (local.get $sh) (i32.shl (local.get $i) (i32.const 2))))
            (call $store4 (local.get $sp)
              (f32x4.mul (call $load4 (local.get $sp) (i32.sub (local.get $keys) (local.get $i))) (f32x4.splat (local.get $f)))
              (i32.sub (local.get $keys) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $ws)))
        (local.set $sh (i32.add (local.get $sh) (local.get $sstride)))
        (local.set $bv (i32.add (local.get $bv) (i32.const 16)))
        (br_if $softmax (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nh))))
      ;; out = Σ w_i·v_i in order of i, four rows of values at a time for
      ;; every head, summed into dst (cleared first: 0 + x is x, as the
      ;; first key's product alone would be)
      (local.set $op (i32.add (i32.add (local.get $dst) (i32.mul (local.get $t) (local.get $rowb))) (local.get $koff)))
      (local.set $end (i32.add (local.get $op) (i32.mul (local.get $nh) (local.get $hb))))
      (loop $clear
        (v128.store align=4 (local.get $op) (v128.const i32x4 0 0 0 0))
        (br_if $clear (i32.lt_u (local.tee $op (i32.add (local.get $op) (i32.const 16))) (local.get $end))))
      (local.set $i (i32.const 0))
      (block $vals_done (loop $vals
        (br_if $vals_done (i32.ge_u (local.get $i) (local.get $keys)))
        (local.set $op (i32.add (i32.add (local.get $dst) (i32.mul (local.get $t) (local.get $rowb))) (local.get $koff)))
        (local.set $vp (i32.add (i32.add (local.get $v) (i32.mul (local.get $i) (local.get $rowb))) (local.get $koff)))
        (local.set $sp (i32.add (local.get $sbase) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $h (i32.const 0))
        (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $keys))
          (then
            (loop $vals4_heads
              (local.set $w0 (v128.load32_splat (local.get $sp)))
              (local.set $w1 (v128.load32_splat offset=4 (local.get $sp)))
              (local.set $w2 (v128.load32_splat offset=8 (local.get $sp)))
              (local.set $w3 (v128.load32_splat offset=12 (local.get $sp)))
              (local.set $end (i32.add (local.get $op) (local.get $hb)))
              (local.set $vp2 (i32.add (local.get $vp) (local.get $rowb2)))
              (loop $vals4_dims
                (v128.store align=4 (local.get $op)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.add
                        (f32x4.add (v128.load align=4 (local.get $op)) (f32x4.mul (local.get $w0) (v128.load align=4 (local.get $vp))))
                        (f32x4.mul (local.get $w1) (v128.load align=4 (i32.add (local.get $vp) (local.get $rowb)))))
                      (f32x4.mul (local.get $w2) (v128.load align=4 (local.get $vp2))))
                    (f32x4.mul (local.get $w3) (v128.load align=4 (i32.add (local.get $vp2) (local.get $rowb))))))
                (local.set $vp (i32.add (local.get $vp) (i32.const 16)))
                (local.set $vp2 (i32.add (local.get $vp2) (i32.const 16)))
                (br_if $vals4_dims (i32.lt_u (local.tee $op (i32.add (local.get $op) (i32.const 16))) (local.get $end))))
              (local.set $sp (i32.add (local.get $sp) (local.get $sstride)))
              (br_if $vals4_heads (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nh))))
            (local.set $i (i32.add (local.get $i) (i32.const 4))))
          (else
            (loop $vals1_heads
              (local.set $w0 (v128.load32_splat (local.get $sp)))
              (local.set $end (i32.add (local.get $op) (local.get $hb)))
              (loop $vals1_dims
                (v128.store align=4 (local.get $op)
                  (f32x4.add (v128.load align=4 (local.get $op)) (f32x4.mul (local.get $w0) (v128.load align=4 (local.get $vp)))))
                (local.set $vp (i32.add (local.get $vp) (i32.const 16)))
                (br_if $vals1_dims (i32.lt_u (local.tee $op (i32.add (local.get $op) (i32.const 16))) (local.get $end))))
              (local.set $sp (i32.add (local.get $sp) (local.get $sstride)))
              (br_if $vals1_heads (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nh))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (br $vals)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $queries))))

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

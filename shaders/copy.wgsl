// Row copies into the KV cache: copy (F32 values) and copy_f16 (into an
// F16 tensor, from F32 values or halves), one thread per value or per
// output word (declarations: elementwise_common.wgsl).

//!include elementwise_common.wgsl

fn aw(i: u32) -> u32 { return load(A_SRC, i); }

// copy copies n words (F32 values).
@compute @workgroup_size(WG)
fn copy(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let i = index(g, nw, t);
    if (i < p.n) {
        dst[p.dst_off + i] = aw(p.a_off + i);
    }
}

// copy_f16 writes n halves to dst from half index dst_off on, from F32
// values (b_off = 1) or halves (b_off = 0) of a starting at a_off. A thread
// owns one word of dst and keeps the halves outside the range.
@compute @workgroup_size(WG)
fn copy_f16(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
            @builtin(local_invocation_index) t: u32) {
    let wi = (p.dst_off >> 1u) + index(g, nw, t);
    if (wi > (p.dst_off + p.n - 1u) >> 1u) {
        return;
    }
    var word = dst[wi];
    for (var h = 0u; h < 2u; h++) {
        let e = wi * 2u + h;
        if (e >= p.dst_off && e < p.dst_off + p.n) {
            let src = p.a_off + (e - p.dst_off);
            var v: u32;
            if (p.b_off == 1u) {
                v = f32_to_f16(bitcast<f32>(aw(src)));
            } else {
                v = half_bits(aw(src >> 1u), src);
            }
            word = (word & ~(0xffffu << (16u * h))) | (v << (16u * h));
        }
    }
    dst[wi] = word;
}

// Elementwise kernels over n values, one thread per value: gelu_new, add
// and add3 (declarations and operand aliasing: elementwise_common.wgsl).

//!include elementwise_common.wgsl

fn af(i: u32) -> f32 { return bitcast<f32>(load(A_SRC, p.a_off + i)); }
fn bf(i: u32) -> f32 { return bitcast<f32>(load(B_SRC, p.b_off + i)); }
fn cf(i: u32) -> f32 { return bitcast<f32>(load(C_SRC, p.c_off + i)); }

@compute @workgroup_size(WG)
fn gelu_new(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
            @builtin(local_invocation_index) t: u32) {
    let i = index(g, nw, t);
    if (i >= p.n) {
        return;
    }
    dst[p.dst_off + i] = bitcast<u32>(gelu_new_f32(af(i)));
}

@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
       @builtin(local_invocation_index) t: u32) {
    let i = index(g, nw, t);
    if (i < p.n) {
        dst[p.dst_off + i] = bitcast<u32>(af(i) + bf(i));
    }
}

@compute @workgroup_size(WG)
fn add3(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let i = index(g, nw, t);
    if (i < p.n) {
        dst[p.dst_off + i] = bitcast<u32>((af(i) + bf(i)) + cf(i));
    }
}

// Elementwise kernels over n values, one thread per value (per output word
// for F16 destinations): gelu_new, add, add3 and the row copies into the KV
// cache. Dispatches are two-dimensional when n needs more than 65535
// workgroups.
//
// Operands may be the same buffer (in place, or a += b). WebGPU forbids
// binding one buffer twice as writable storage, so such an operand is read
// through the binding that already holds its buffer: A_SRC, B_SRC and C_SRC
// name the binding of a, b and c (1 = dst), and the unused binding gets a
// placeholder buffer.

override WG: u32 = 64;
override A_SRC: u32 = 2;
override B_SRC: u32 = 3;
override C_SRC: u32 = 4;

struct Params {
    n: u32, dst_off: u32, a_off: u32, b_off: u32, c_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read_write> a: array<u32>;
@group(0) @binding(3) var<storage, read_write> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> c: array<u32>;

fn index(g: vec3<u32>, n: vec3<u32>, t: u32) -> u32 {
    return (g.y * n.x + g.x) * WG + t;
}

// load is word i of the binding numbered src.
fn load(src: u32, i: u32) -> u32 {
    switch src {
        case 1u: { return dst[i]; }
        case 2u: { return a[i]; }
        case 3u: { return b[i]; }
        default: { return c[i]; }
    }
}

fn aw(i: u32) -> u32 { return load(A_SRC, i); }
fn af(i: u32) -> f32 { return bitcast<f32>(load(A_SRC, p.a_off + i)); }
fn bf(i: u32) -> f32 { return bitcast<f32>(load(B_SRC, p.b_off + i)); }
fn cf(i: u32) -> f32 { return bitcast<f32>(load(C_SRC, p.c_off + i)); }

@compute @workgroup_size(WG)
fn gelu(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let i = index(g, nw, t);
    if (i >= p.n) {
        return;
    }
    dst[p.dst_off + i] = bitcast<u32>(gelu_new(af(i)));
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

// copy32 copies n words (F32 values).
@compute @workgroup_size(WG)
fn copy32(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
          @builtin(local_invocation_index) t: u32) {
    let i = index(g, nw, t);
    if (i < p.n) {
        dst[p.dst_off + i] = aw(p.a_off + i);
    }
}

// copy16 writes n halves to dst from half index dst_off on, from F32
// values (b_off = 1) or halves (b_off = 0) of a starting at a_off. A thread
// owns one word of dst and keeps the halves outside the range.
@compute @workgroup_size(WG)
fn copy16(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
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

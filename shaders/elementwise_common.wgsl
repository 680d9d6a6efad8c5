// Declarations shared by elementwise.wgsl and copy.wgsl (included by
// both): n values, one thread per value (per output word for F16
// destinations). Dispatches are two-dimensional when n needs more than
// 65535 workgroups.
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

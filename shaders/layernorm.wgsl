// dst = (x − μ)/sqrt(σ² + eps)·gamma + beta per row (biased variance): one
// workgroup per row, two passes (mean, then squared deviations) summed in a
// tree in workgroup memory.

override WG: u32 = 64; // a power of two
// X_IN_DST reads x through the dst binding, for dst = x (WebGPU forbids
// binding one buffer twice as writable storage).
override X_IN_DST: bool = false;

struct Params {
    d: u32, x_off: u32, dst_off: u32, g_off: u32,
    b_off: u32, eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

var<workgroup> red: array<f32, WG>;

fn xv(i: u32) -> f32 {
    if (X_IN_DST) {
        return dst[i];
    }
    return x[i];
}

// total sums v over the workgroup; every thread gets the result.
fn total(t: u32, v: f32) -> f32 {
    red[t] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s >= 1u; s /= 2u) {
        if (t < s) {
            red[t] += red[t + s];
        }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let xr = p.x_off + g.x * p.d;
    let dr = p.dst_off + g.x * p.d;
    var s = 0.0;
    for (var c = t; c < p.d; c += WG) {
        s += xv(xr + c);
    }
    let mean = total(t, s) / f32(p.d);
    var q = 0.0;
    for (var c = t; c < p.d; c += WG) {
        let v = xv(xr + c) - mean;
        q += v * v;
    }
    let inv = 1.0 / sqrt(total(t, q) / f32(p.d) + p.eps);
    for (var c = t; c < p.d; c += WG) {
        dst[dr + c] = (xv(xr + c) - mean) * inv * gamma[p.g_off + c] + beta[p.b_off + c];
    }
}

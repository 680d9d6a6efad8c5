// The column of the largest value of one row (lowest index on ties, NaN
// never chosen; 0 when every value is NaN), written as a u32 to out[0].
// One workgroup: strided scans, then a tree reduction.

override WG: u32 = 256; // a power of two

struct Params {
    cols: u32, x_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

var<workgroup> best: array<f32, WG>;
var<workgroup> at: array<u32, WG>;

const NONE = 0xffffffffu;

// better reports whether (v, i) beats (bv, bi).
fn better(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    if (i == NONE) { return false; }
    if (bi == NONE) { return true; }
    return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
    var bv = 0.0;
    var bi = NONE;
    for (var c = t; c < p.cols; c += WG) {
        let v = x[p.x_off + c];
        if (!is_nan(v) && better(v, c, bv, bi)) {
            bv = v;
            bi = c;
        }
    }
    best[t] = bv;
    at[t] = bi;
    workgroupBarrier();
    for (var s = WG / 2u; s >= 1u; s /= 2u) {
        if (t < s && better(best[t + s], at[t + s], best[t], at[t])) {
            best[t] = best[t + s];
            at[t] = at[t + s];
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        out[0] = select(at[0], 0u, at[0] == NONE);
    }
}

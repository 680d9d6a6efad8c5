// dst[i, j] = Σ_c x[i, c]·w[j, c] + bias[j] for a row-major F32 or F16 w.
//
// A workgroup computes 4 consecutive rows of w against TN rows of x.
// Thread t works on row t % 4 and the columns t/4, t/4 + WG/4, …, keeping
// one float32 partial sum per x row; the partials of a row are then summed
// in a tree in workgroup memory.

override WG: u32 = 64; // threads: a power of two, at least 8
override TN: u32 = 1;  // x rows per workgroup, at most 8
override W_F16: bool = false;
// ROWS: one thread per row of w instead (no workgroup reduction), for
// short rows, where a reduction costs more than it shares.
override ROWS: bool = false;

struct Params {
    n: u32, k: u32, m: u32, has_bias: u32,
    x_off: u32, w_off: u32, bias_off: u32, dst_off: u32,
    j0: u32,   // the output column of this piece's row 0
    ldd: u32,  // dst row length (all pieces)
    kb: u32, scales: u32, // (Q8 and Q4 only)
    act: u32,  // 1: apply gelu_new to the results
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

var<workgroup> part: array<f32, WG * TN>;

// load_w is element e (counted from the start of the binding) of w.
fn load_w(e: u32) -> f32 {
    if (W_F16) {
        return f16_to_f32(half_bits(w[e >> 1u], e));
    }
    return bitcast<f32>(w[e]);
}

// store writes result v of x row i and w row r (bias, activation).
fn store(i: u32, r: u32, v: f32) {
    let j = p.j0 + r;
    var y = v;
    if (p.has_bias != 0u) {
        y += bias[p.bias_off + j];
    }
    if (p.act == 1u) {
        y = gelu_new(y);
    }
    dst[p.dst_off + i * p.ldd + j] = y;
}

fn by_rows(r: u32, i0: u32) {
    if (r >= p.m) {
        return;
    }
    var acc: array<f32, 8>;
    let row = p.w_off + r * p.k;
    for (var c = 0u; c < p.k; c++) {
        let wv = load_w(row + c);
        for (var u = 0u; u < TN; u++) {
            if (i0 + u < p.n) {
                acc[u] += x[p.x_off + (i0 + u) * p.k + c] * wv;
            }
        }
    }
    for (var u = 0u; u < TN; u++) {
        if (i0 + u < p.n) {
            store(i0 + u, r, acc[u]);
        }
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    if (ROWS) {
        by_rows(g.x * WG + t, g.y * TN);
        return;
    }
    let r = g.x * 4u + t % 4u; // row of this piece of w
    let i0 = g.y * TN;
    var acc: array<f32, 8>;
    if (r < p.m) {
        let row = p.w_off + r * p.k;
        for (var c = t / 4u; c < p.k; c += WG / 4u) {
            let wv = load_w(row + c);
            for (var u = 0u; u < TN; u++) {
                if (i0 + u < p.n) {
                    acc[u] += x[p.x_off + (i0 + u) * p.k + c] * wv;
                }
            }
        }
    }
    for (var u = 0u; u < TN; u++) {
        part[t * TN + u] = acc[u];
    }
    workgroupBarrier();
    for (var s = WG / 2u; s >= 4u; s /= 2u) {
        if (t < s) {
            for (var u = 0u; u < TN; u++) {
                part[t * TN + u] += part[(t + s) * TN + u];
            }
        }
        workgroupBarrier();
    }
    if (t < 4u && r < p.m) {
        for (var u = 0u; u < TN; u++) {
            if (i0 + u < p.n) {
                store(i0 + u, r, part[t * TN + u]);
            }
        }
    }
}

// dst[i, j] = Σ_c x[i, c]·w[j, c] + bias[j] for a row-major F32 or F16 w.
//
// A workgroup computes 4 consecutive rows of w against TN rows of x.
// Thread t works on row t % 4 and the columns t/4, t/4 + WG/4, …, keeping
// one float32 partial sum per x row; the partials of a row are then summed
// in a tree in workgroup memory.

//!include matmul_common.wgsl

override W_F16: bool = false;

// load_w is element e (counted from the start of the binding) of w.
fn load_w(e: u32) -> f32 {
    if (W_F16) {
        return f16_to_f32(half_bits(w[e >> 1u], e));
    }
    return bitcast<f32>(w[e]);
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
    store_rows(r, i0, acc);
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
    reduce_store(t, g.x * 4u, i0, acc);
}

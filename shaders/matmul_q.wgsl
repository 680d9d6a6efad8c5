// dst[i, j] = Σ_c x[i, c]·w[j, c] + bias[j] for a Q8 or Q4 w (docs/format.md).
//
// A workgroup computes one group of 4 rows, whose block slots are one
// contiguous stream: thread t reads slots t, t + WG, … of the group (always
// row t % 4, since WG is a multiple of 4), so neighbouring threads read
// neighbouring 16- or 32-byte slots. Each slot is dequantized once and
// applied to TN rows of x in float32; the partials of a row are summed in a
// tree in workgroup memory.

//!include matmul_common.wgsl

override Q4: bool = true;

// xv is x[i, c], or 0 past the end of the row (padding weights are zero,
// but whatever lies past the row must not reach the sum).
fn xv(i: u32, c: u32) -> f32 {
    return select(0.0, x[p.x_off + i * p.k + min(c, p.k - 1u)], c < p.k);
}

// decode returns the 32 quants of slot s as floats, before the scale.
fn decode(s: u32) -> array<f32, 32> {
    var q: array<f32, 32>;
    if (Q4) {
        let base = p.w_off + s * 4u;
        for (var j = 0u; j < 4u; j++) {
            let word = w[base + j];
            for (var k = 0u; k < 4u; k++) {
                let byte = (word >> (8u * k)) & 0xffu;
                q[j * 4u + k] = f32(i32(byte & 15u) - 8);
                q[j * 4u + k + 16u] = f32(i32(byte >> 4u) - 8);
            }
        }
    } else {
        let base = p.w_off + s * 8u;
        for (var j = 0u; j < 8u; j++) {
            let word = w[base + j];
            for (var k = 0u; k < 4u; k++) {
                q[j * 4u + k] = f32(bitcast<i32>(word << (24u - 8u * k)) >> 24u);
            }
        }
    }
    return q;
}

fn by_rows(r: u32, i0: u32) {
    if (r >= p.m) {
        return;
    }
    var acc: array<f32, 8>;
    for (var b = 0u; b < p.kb; b++) {
        let s = ((r / 4u) * p.kb + b) * 4u + r % 4u;
        let d = f16_to_f32(half_bits(w[p.scales + (s >> 1u)], s));
        var q = decode(s); // a variable: indexed at run time below
        for (var u = 0u; u < TN; u++) {
            if (i0 + u < p.n) {
                var sum = 0.0;
                for (var e = 0u; e < 32u; e++) {
                    sum += q[e] * xv(i0 + u, b * 32u + e);
                }
                acc[u] += sum * d;
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
    let i0 = g.y * TN;
    let first = g.x * p.kb * 4u; // the group's first slot
    var acc: array<f32, 8>;
    for (var s = first + t; s < first + p.kb * 4u; s += WG) {
        let b = (s - first) / 4u;
        let d = f16_to_f32(half_bits(w[p.scales + (s >> 1u)], s));
        var q = decode(s); // a variable: indexed at run time below
        for (var u = 0u; u < TN; u++) {
            if (i0 + u < p.n) {
                var sum = 0.0;
                for (var e = 0u; e < 32u; e++) {
                    sum += q[e] * xv(i0 + u, b * 32u + e);
                }
                acc[u] += sum * d;
            }
        }
    }
    reduce_store(t, g.x * 4u, i0, acc);
}

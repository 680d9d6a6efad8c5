// Causal attention, one workgroup per (head, query row): query t (position
// pos0 + t) attends to cache rows 0..pos0+t of k and v (F32, or F16 when
// KV_F16). Keys are taken CHUNK at a time: scores into workgroup memory,
// their max and the sum of exponentials by tree reductions, and the
// running output rescaled as the max grows (an online softmax, exact when
// all keys fit one chunk). Thread t owns output dimensions t, t + WG, … of
// the head (head_dim ≤ 4·WG).
//
// A decode step over a long cache is split over the keys as well (entries
// partial and combine): one workgroup per (head, span of p.span keys)
// leaves its max, sum and unnormalized output in part, and combine merges
// the spans of each head.

override WG: u32 = 64;      // a power of two
override CHUNK: u32 = 1024; // keys per pass
override KV_F16: bool = false;

struct Params {
    n: u32, d: u32, head_dim: u32, pos0: u32,
    q_off: u32, k_off: u32, v_off: u32, dst_off: u32,
    scale: f32,
    span: u32,  // keys per partial workgroup
    spans: u32, // partial workgroups per head
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> q: array<f32>;
@group(0) @binding(2) var<storage, read_write> k: array<u32>;
@group(0) @binding(3) var<storage, read_write> v: array<u32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;

var<workgroup> qs: array<f32, 256>;
var<workgroup> sc: array<f32, CHUNK>;

// cache is element e of k (which = 0) or v.
fn cache(which: u32, e: u32) -> f32 {
    var word: u32;
    if (KV_F16) {
        if (which == 0u) { word = k[e >> 1u]; } else { word = v[e >> 1u]; }
        return f16_to_f32(half_bits(word, e));
    }
    if (which == 0u) { word = k[e]; } else { word = v[e]; }
    return bitcast<f32>(word);
}

//!include attention_common.wgsl

// The running state of one workgroup's softmax: max, sum of exponentials
// and unnormalized output for the thread's dimensions.
var<private> run_max: f32;
var<private> run_sum: f32;
var<private> acc: array<f32, 4>;

// attend computes the running state over keys [k0, k1) of head h for the
// query in qs.
fn attend(t: u32, h: u32, k0: u32, k1: u32) {
    let hd = p.head_dim;
    let col = h * hd;
    run_max = -3.0e38;
    run_sum = 0.0;
    acc = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    for (var c0 = k0; c0 < k1; c0 += CHUNK) {
        let count = min(CHUNK, k1 - c0);
        var local_max = -3.0e38;
        for (var j = t; j < count; j += WG) {
            let base = p.k_off + (c0 + j) * p.d + col;
            var s = 0.0;
            for (var c = 0u; c < hd; c++) {
                s += qs[c] * cache(0u, base + c);
            }
            s *= p.scale;
            sc[j] = s;
            local_max = max(local_max, s);
        }
        let m_new = max(run_max, reduce(t, local_max, true));
        var local_sum = 0.0;
        for (var j = t; j < count; j += WG) {
            let e = exp(sc[j] - m_new);
            sc[j] = e;
            local_sum += e;
        }
        let sum = reduce(t, local_sum, false); // its barriers also publish sc
        let corr = exp(run_max - m_new);
        run_sum = run_sum * corr + sum;
        for (var i = 0u; i < 4u; i++) {
            let c = t + i * WG;
            if (c < hd) {
                var a = acc[i] * corr;
                for (var j = 0u; j < count; j++) {
                    a += sc[j] * cache(1u, p.v_off + (c0 + j) * p.d + col + c);
                }
                acc[i] = a;
            }
        }
        run_max = m_new;
        workgroupBarrier(); // sc is rewritten by the next chunk
    }
}

// load_q puts query row `row`, head h into qs.
fn load_q(t: u32, h: u32, row: u32) {
    for (var c = t; c < p.head_dim; c += WG) {
        qs[c] = q[p.q_off + row * p.d + h * p.head_dim + c];
    }
    workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = g.x;
    let row = g.y;
    load_q(t, h, row);
    attend(t, h, 0u, p.pos0 + row + 1u);
    for (var i = 0u; i < 4u; i++) {
        let c = t + i * WG;
        if (c < p.head_dim) {
            dst[p.dst_off + row * p.d + h * p.head_dim + c] = acc[i] / run_sum;
        }
    }
}

// partial: span g.y of head g.x for the one query row (pos0), into part
// at (h·spans + span)·(head_dim + 2): max, sum, then the output.
@compute @workgroup_size(WG)
fn partial(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = g.x;
    let keys = p.pos0 + 1u;
    let k0 = g.y * p.span;
    load_q(t, h, 0u);
    attend(t, h, k0, min(keys, k0 + p.span));
    let at = (h * p.spans + g.y) * (p.head_dim + 2u);
    if (t == 0u) {
        part[at] = run_max;
        part[at + 1u] = run_sum;
    }
    for (var i = 0u; i < 4u; i++) {
        let c = t + i * WG;
        if (c < p.head_dim) {
            part[at + 2u + c] = acc[i];
        }
    }
}

// combine merges the spans of head g.x into dst.
@compute @workgroup_size(WG)
fn combine(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = g.x;
    let stride = p.head_dim + 2u;
    let first = h * p.spans * stride;
    var m = -3.0e38;
    for (var s = 0u; s < p.spans; s++) {
        m = max(m, part[first + s * stride]);
    }
    var total = 0.0;
    for (var s = 0u; s < p.spans; s++) {
        total += exp(part[first + s * stride] - m) * part[first + s * stride + 1u];
    }
    for (var c = t; c < p.head_dim; c += WG) {
        var o = 0.0;
        for (var s = 0u; s < p.spans; s++) {
            let at = first + s * stride;
            o += exp(part[at] - m) * part[at + 2u + c];
        }
        dst[p.dst_off + h * p.head_dim + c] = o / total;
    }
}

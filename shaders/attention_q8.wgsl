// Causal attention over KVQ8 caches (k and v both), the work split as in
// attention.wgsl: one workgroup per (head, query row), or for a long decode
// step per (head, span of keys) with attention.wgsl's combine merging the
// spans (the partial results have its layout).
//
// A cache is one buffer: its int8 values, then from word scales_at its f32
// scales (four storage bindings are all a device need offer). A head's
// keys are contiguous (head-major, D bytes per position), so a thread
// scores whole keys word by word: four int8 values unpacked by shifts (this
// naga has no dot4I8Packed) against the f32 query, then one multiply by the
// key's scale. The value scales are folded into the softmax weights, and
// the weighted sum of values is taken a word at a time too: thread t adds
// word t mod D/4 of every (WG / (D/4))-th key, and the threads' shares are
// summed at the end. What differs from F32 attention over the dequantized
// caches is the order of the roundings only: scale·Σ q·(d·k) becomes
// (Σ q·k)·(d·scale), and Σ e·(d·v) becomes Σ (e·d)·v, summed in another
// order.

override WG: u32 = 64;      // a power of two
override CHUNK: u32 = 1024; // keys per pass

struct Params {
    n: u32, d: u32, head_dim: u32, pos0: u32,
    q_off: u32, positions: u32,
    scales_at: u32, // word of the caches' scales (after their values)
    dst_off: u32,
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

var<workgroup> qs: array<vec4<f32>, 64>;
var<workgroup> sc: array<f32, CHUNK>;

// unpack4 widens the four int8 of a word, lowest byte first.
fn unpack4(word: u32) -> vec4<f32> {
    let b = vec4<i32>(bitcast<i32>(word));
    return vec4<f32>((b << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

//!include attention_common.wgsl

// The running softmax state: max, sum of exponentials, and the thread's
// share of the unnormalized output: word w of the head (values 4w…4w+3)
// over keys g, g + groups, … of each chunk.
var<private> run_max: f32;
var<private> run_sum: f32;
var<private> acc: vec4<f32>;
var<workgroup> shares: array<vec4<f32>, WG>;

// attend computes the running softmax state over keys [k0, k1) of head h
// for the query in qs.
fn attend(t: u32, h: u32, k0: u32, k1: u32) {
    let hd = p.head_dim;
    let words = hd / 4u;
    let slot0 = h * p.positions; // scale number of the head's position 0
    let groups = WG / words;
    let w = t % words;
    let g = t / words;
    run_max = -3.0e38;
    run_sum = 0.0;
    acc = vec4<f32>(0.0);
    for (var c0 = k0; c0 < k1; c0 += CHUNK) {
        let count = min(CHUNK, k1 - c0);
        var local_max = -3.0e38;
        for (var j = t; j < count; j += WG) {
            let slot = slot0 + c0 + j;
            let base = slot * words;
            var s = 0.0;
            for (var i = 0u; i < words; i++) {
                s += dot(qs[i], unpack4(k[base + i]));
            }
            s *= bitcast<f32>(k[p.scales_at + slot]) * p.scale;
            sc[j] = s;
            local_max = max(local_max, s);
        }
        let m_new = max(run_max, reduce(t, local_max, true));
        var local_sum = 0.0;
        for (var j = t; j < count; j += WG) {
            let e = exp(sc[j] - m_new);
            local_sum += e;
            sc[j] = e * bitcast<f32>(v[p.scales_at + slot0 + c0 + j]);
        }
        let sum = reduce(t, local_sum, false); // its barriers also publish sc
        let corr = exp(run_max - m_new);
        run_sum = run_sum * corr + sum;
        acc = acc * corr;
        if (g < groups) {
            for (var j = g; j < count; j += groups) {
                acc += sc[j] * unpack4(v[(slot0 + c0 + j) * words + w]);
            }
        }
        run_max = m_new;
        workgroupBarrier(); // sc is rewritten by the next chunk
    }
}

// output sums the threads' shares: word t of the head's unnormalized
// output, for t < head_dim/4.
fn output(t: u32) -> vec4<f32> {
    shares[t] = acc;
    workgroupBarrier();
    let words = p.head_dim / 4u;
    var o = vec4<f32>(0.0);
    if (t < words) {
        for (var g = 0u; g < WG / words; g++) {
            o += shares[g * words + t];
        }
    }
    return o;
}

// load_q puts query row `row`, head h into qs.
fn load_q(t: u32, h: u32, row: u32) {
    let at = p.q_off + row * p.d + h * p.head_dim;
    for (var w = t; w < p.head_dim / 4u; w += WG) {
        qs[w] = vec4<f32>(q[at + 4u * w], q[at + 4u * w + 1u], q[at + 4u * w + 2u], q[at + 4u * w + 3u]);
    }
    workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = g.x;
    let row = g.y;
    load_q(t, h, row);
    attend(t, h, 0u, p.pos0 + row + 1u);
    let o = output(t) / run_sum;
    if (t < p.head_dim / 4u) {
        let at = p.dst_off + row * p.d + h * p.head_dim + 4u * t;
        for (var i = 0u; i < 4u; i++) {
            dst[at + i] = o[i];
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
    let o = output(t);
    if (t < p.head_dim / 4u) {
        for (var i = 0u; i < 4u; i++) {
            part[at + 2u + 4u * t + i] = o[i];
        }
    }
}

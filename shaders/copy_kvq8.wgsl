// Quantizing copy into a KVQ8 cache, one workgroup per (head g.x, source
// row g.y): d = amax/127 and q_i = clamp(round_half_away(x_i/d), −127, 127)
// over the head's values, stored at the cache's head-major layout (value i
// of head h at position p is byte (h·P + p)·D + i; scale f32 h·P + p, in
// the same buffer from word scales_at on). D is a multiple of 4, so a thread
// packs whole words.
//
// WGSL's f32 division may be off by 2.5 ulp, which would move d by an ulp
// and q by one where x/d lies near a half. Both quotients are therefore
// computed exactly, by integer long division (div_rn), and the cache
// matches tensor.QuantizeKVQ8 bit for bit for finite inputs with
// amax ≥ 2⁻¹⁰⁰ (below that, where normal numbers run out, by plain
// division: a head that small is noise).

override WG: u32 = 64; // a power of two

struct Params {
    rows: u32, d: u32, head_dim: u32, positions: u32,
    src_off: u32, // element of source row 0
    dst_row: u32, // cache position of source row 0
    scales_at: u32, // word of the cache's scales (after its values)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read_write> src: array<f32>;

var<workgroup> red: array<f32, WG>;

// div_rn is x/y rounded to nearest, ties to even, for x ≥ 0 and y > 0
// normal with a normal quotient: 25 quotient bits by long division of the
// significands, the 25th and the remainder deciding the rounding.
fn div_rn(x: f32, y: f32) -> f32 {
    let bx = bitcast<u32>(x);
    let by = bitcast<u32>(y);
    let my = (by & 0x7fffffu) | 0x800000u;
    var r = (bx & 0x7fffffu) | 0x800000u;
    var e = i32(bx >> 23u) - i32(by >> 23u) + 127;
    if (r < my) {
        r <<= 1u;
        e -= 1;
    }
    var q = 0u;
    for (var i = 0u; i < 25u; i++) {
        q <<= 1u;
        if (r >= my) {
            r -= my;
            q |= 1u;
        }
        r <<= 1u;
    }
    var m = q >> 1u;
    if ((q & 1u) == 1u && (r != 0u || (m & 1u) == 1u)) {
        m += 1u;
    }
    if (m == 0x1000000u) {
        m = 0x800000u;
        e += 1;
    }
    return bitcast<f32>((u32(e) << 23u) | (m & 0x7fffffu));
}

// quantize is clamp(round_half_away(x/d), −127, 127) for d > 0.
fn quantize(x: f32, d: f32, exact: bool) -> i32 {
    let a = abs(x);
    if (a < d * 0.25) { // the quotient is below a quarter, and its rounding 0
        return 0;
    }
    var r: f32;
    if (exact) {
        r = div_rn(a, d);
    } else {
        r = a / d;
    }
    var k = floor(r);
    if (r - k >= 0.5) { // exact: r < 2²³
        k += 1.0;
    }
    let n = i32(min(k, 127.0));
    return select(n, -n, x < 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = g.x;
    let row = g.y;
    let hd = p.head_dim;
    let at = p.src_off + row * p.d + h * hd;
    var amax = 0.0;
    for (var c = t; c < hd; c += WG) {
        amax = max(amax, abs(src[at + c]));
    }
    red[t] = amax;
    workgroupBarrier();
    for (var s = WG / 2u; s >= 1u; s /= 2u) {
        if (t < s) {
            red[t] = max(red[t], red[t + s]);
        }
        workgroupBarrier();
    }
    amax = red[0];
    let exact = amax >= 7.888609052210118e-31; // 2⁻¹⁰⁰
    var d = 0.0;
    if (exact) {
        d = div_rn(amax, 127.0);
    } else if (amax > 0.0) {
        d = amax / 127.0;
    }
    let slot = h * p.positions + p.dst_row + row;
    if (t == 0u) {
        dst[p.scales_at + slot] = bitcast<u32>(d);
    }
    let word0 = slot * (hd / 4u);
    for (var w = t; w < hd / 4u; w += WG) {
        var packed = 0u;
        if (d > 0.0) {
            for (var j = 0u; j < 4u; j++) {
                let q = quantize(src[at + 4u * w + j], d, exact);
                packed |= (bitcast<u32>(q) & 0xffu) << (8u * j);
            }
        }
        dst[word0 + w] = packed;
    }
}

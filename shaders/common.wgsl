// Helpers prepended to every kernel. Halves are converted with integer
// operations so that subnormals, infinities and NaN behave exactly as the
// reference (runtime/tensor), whatever the GPU's float conversions do.

// f16_to_f32 widens the half in the low 16 bits of h exactly.
fn f16_to_f32(h: u32) -> f32 {
    let s = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if (e == 0u) {
        // Zero or subnormal: m·2⁻²⁴, exact in f32.
        let v = f32(m) * 5.9604644775390625e-8;
        return bitcast<f32>(bitcast<u32>(v) | s);
    }
    if (e == 31u) {
        return bitcast<f32>(s | 0x7f800000u | (m << 13u));
    }
    return bitcast<f32>(s | ((e + 112u) << 23u) | (m << 13u));
}

// f32_to_f16 rounds to the nearest half, ties to even; overflow gives ±Inf
// and any NaN the quiet NaN 0x7e00 with the sign kept.
fn f32_to_f16(f: f32) -> u32 {
    let b = bitcast<u32>(f);
    let sign = (b >> 16u) & 0x8000u;
    let ex = i32((b >> 23u) & 0xffu);
    var man = b & 0x7fffffu;
    if (ex == 255) {
        return select(sign | 0x7c00u, sign | 0x7e00u, man != 0u);
    }
    let e = ex - 112;
    if (e >= 31) {
        return sign | 0x7c00u;
    }
    if (e <= 0) {
        if (e < -10) {
            return sign;
        }
        man = man | 0x800000u;
        let shift = u32(14 - e);
        let half = 1u << (shift - 1u);
        let rest = man & ((1u << shift) - 1u);
        var out = man >> shift;
        if (rest > half || (rest == half && (out & 1u) == 1u)) {
            out = out + 1u;
        }
        return sign | out;
    }
    var out = (u32(e) << 10u) | (man >> 13u);
    let rest = man & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (out & 1u) == 1u)) {
        out = out + 1u;
    }
    return sign | out;
}

// half_at is element e of an array of halves packed two per u32, low first.
fn half_bits(word: u32, e: u32) -> u32 {
    return (word >> ((e & 1u) * 16u)) & 0xffffu;
}

// is_nan tests the bits, which no compiler may fold away.
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// gelu_new_f32 is gelu_new of one value: 0.5·x·(1 + tanh(u)),
// u = √(2/π)·(x + 0.044715·x³), with tanh(u) = 1 − 2/(e^(2u) + 1), which
// stays finite for large |u|. (The elementwise kernel is gelu_new.)
fn gelu_new_f32(v: f32) -> f32 {
    let u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
    let th = 1.0 - 2.0 / (exp(min(2.0 * u, 80.0)) + 1.0);
    return 0.5 * v * (1.0 + th);
}

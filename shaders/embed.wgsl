// dst row i = row ids[i] of an F32, F16, Q8 or Q4 table (or of one piece of
// it: rows [row0, row0 + rows) of the whole table; other ids are left to the
// dispatches of the other pieces). One thread per output value.

override WG: u32 = 64;
override DT: u32 = 0; // 0 F32, 1 F16, 2 Q8, 3 Q4

struct Params {
    n: u32, cols: u32, rows: u32, row0: u32,
    ids_off: u32, dst_off: u32, kb: u32,
    scales: u32, // word index of the Q8/Q4 scales of row 0
    t_off: u32,  // element (F32, F16) or quants word (Q8, Q4) offset of row 0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> table: array<u32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

fn value(r: u32, c: u32) -> f32 {
    switch DT {
        case 0u: {
            return bitcast<f32>(table[p.t_off + r * p.cols + c]);
        }
        case 1u: {
            let e = p.t_off + r * p.cols + c;
            return f16_to_f32(half_bits(table[e >> 1u], e));
        }
        default: {
            let s = ((r / 4u) * p.kb + c / 32u) * 4u + r % 4u;
            let d = f16_to_f32(half_bits(table[p.scales + (s >> 1u)], s));
            let j = c % 32u;
            if (DT == 2u) {
                let byte = s * 32u + j;
                let v = bitcast<i32>(table[p.t_off + (byte >> 2u)] << (24u - 8u * (byte & 3u))) >> 24u;
                return f32(v) * d;
            }
            let byte = s * 16u + j % 16u;
            let nib = (table[p.t_off + (byte >> 2u)] >> (8u * (byte & 3u) + 4u * (j / 16u))) & 15u;
            return f32(i32(nib) - 8) * d;
        }
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let c = gid.x;
    let i = gid.y;
    if (c >= p.cols || i >= p.n) {
        return;
    }
    let id = ids[p.ids_off + i];
    if (id < p.row0 || id - p.row0 >= p.rows) {
        return;
    }
    dst[p.dst_off + i * p.cols + c] = value(id - p.row0, c);
}

// Rotary embedding in place ("rotate half"): for every row t (position
// pos0 + t), head and i < rot/2, the pair (x[i], x[i + rot/2]) of the head
// turns by the angle whose cos and sin are in table row pos0 + t. One thread
// per pair.

override WG: u32 = 64;

struct Params {
    rows: u32, d: u32, head_dim: u32, rot: u32,
    pos0: u32, x_off: u32, table_off: u32, tcols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let half = p.rot / 2u;
    let heads = p.d / p.head_dim;
    let idx = (g.y * nw.x + g.x) * WG + t;
    if (idx >= p.rows * heads * half) {
        return;
    }
    let i = idx % half;
    let head = (idx / half) % heads;
    let row = idx / (half * heads);
    let tr = p.table_off + (p.pos0 + row) * p.tcols;
    let cs = table[tr + i];
    let sn = table[tr + half + i];
    let at = p.x_off + row * p.d + head * p.head_dim + i;
    let a = x[at];
    let b = x[at + half];
    x[at] = a * cs - b * sn;
    x[at + half] = b * cs + a * sn;
}

// Declarations and epilogues shared by matmul.wgsl and matmul_q.wgsl
// (included by both; each adds its weight format's loads).

override WG: u32 = 64; // threads: a power of two, at least 8
override TN: u32 = 1;  // x rows per workgroup, at most 8
// ROWS: one thread per row of w instead (no workgroup reduction), for
// short rows, where a reduction costs more than it shares.
override ROWS: bool = false;

struct Params {
    n: u32, k: u32, m: u32, has_bias: u32,
    x_off: u32, w_off: u32, bias_off: u32, dst_off: u32,
    j0: u32,     // the output column of this piece's row 0
    ldd: u32,    // dst row length (all pieces)
    kb: u32,     // Q8/Q4: blocks of 32 per row
    scales: u32, // Q8/Q4: word index of the scales of slot 0 (w_off: of its quants)
    act: u32,    // 1: apply gelu_new to the results
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// PART sizes the partial sums; a named constant, since some compilers
// (Naga) take no expression as an array's size.
override PART: u32 = WG * TN;
var<workgroup> part: array<f32, PART>;

// store writes result v of x row i and w row r (bias, activation).
fn store(i: u32, r: u32, v: f32) {
    let j = p.j0 + r;
    var y = v;
    if (p.has_bias != 0u) {
        y += bias[p.bias_off + j];
    }
    if (p.act == 1u) {
        y = gelu_new_f32(y);
    }
    dst[p.dst_off + i * p.ldd + j] = y;
}

// store_rows writes the TN results of w row r (x rows from i0). The
// results are copied to a variable first: Naga indexes only arrays in
// memory with a runtime index.
fn store_rows(r: u32, i0: u32, results: array<f32, 8>) {
    var acc = results;
    for (var u = 0u; u < TN; u++) {
        if (i0 + u < p.n) {
            store(i0 + u, r, acc[u]);
        }
    }
}

// reduce_store sums the partials of thread t (row t % 4 of the group whose
// first row is r0) over the workgroup and writes the 4 rows' results.
fn reduce_store(t: u32, r0: u32, i0: u32, results: array<f32, 8>) {
    var acc = results; // in memory, for the runtime index (store_rows)
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
    if (t < 4u && r0 + t < p.m) {
        var sums: array<f32, 8>;
        for (var u = 0u; u < TN; u++) {
            sums[u] = part[t * TN + u];
        }
        store_rows(r0 + t, i0, sums);
    }
}

// The tree reduction both attention kernels share, over the workgroup's WG
// threads: the max (is_max) or the sum of x, returned to every thread.
var<workgroup> red: array<f32, WG>;

fn reduce(t: u32, x: f32, is_max: bool) -> f32 {
    red[t] = x;
    workgroupBarrier();
    for (var s = WG / 2u; s >= 1u; s /= 2u) {
        if (t < s) {
            if (is_max) {
                red[t] = max(red[t], red[t + s]);
            } else {
                red[t] += red[t + s];
            }
        }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

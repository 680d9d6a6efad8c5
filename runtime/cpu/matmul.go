package cpu

import (
	"github.com/phi2web/phi2web/runtime/backend"
)

const (
	// tileFloats bounds the weight rows widened at once (64 KiB), so a
	// tile stays in cache while every x row of a block passes over it.
	tileFloats = 1 << 14
	// xBlockRows is how many x rows share one pass over a weight tile.
	xBlockRows = 64
	// minMACs is the least work worth handing to another goroutine.
	minMACs = 1 << 15
)

// matmulJob is one MatMul, split across workers by rows of w (columns of
// dst), so a single-token product is parallel too.
type matmulJob struct {
	x, bias, dst []float32
	w            *handle
	n, k, m      int
	scratch      [][]float32 // per worker: widened weight tile
}

// MatMul computes dst = x·wᵀ + bias. For F32, F16 and BF16 weights each
// result is dot(w row, x row) in float32 (see dot) plus the bias; Q8 and Q4
// weights are computed on block by block (see qmatmulJob). dst must not
// overlap x, w or bias.
func (b *Backend) MatMul(dst, x, w, bias backend.Tensor) {
	const op = "MatMul"
	d, xh, wh := b.get(op, dst), b.get(op, x), b.get(op, w)
	var bh *handle
	if bias != nil {
		bh = b.get(op, bias)
	}
	backend.CheckMatMul(dst, x, w, bias)
	n, k, m := xh.rows, xh.cols, wh.rows
	if overlaps(d, xh) || overlaps(d, wh) {
		fail(op, "dst %q overlaps an operand", d.label)
	}
	var biasVals []float32
	if bh != nil {
		if overlaps(d, bh) {
			fail(op, "dst %q overlaps bias %q", d.label, bh.label)
		}
		biasVals = bh.f32()
	}
	if wh.dt.Quantized() {
		b.qmatmul(d.f32(), xh.f32(), n, wh, biasVals)
		return
	}
	j := &b.mm
	j.x, j.dst, j.w, j.n, j.k, j.m, j.bias = xh.f32(), d.f32(), wh, n, k, m, biasVals
	b.pool.parallel(j, m, minMACs/max(n*k, 1)+1)
	j.x, j.dst, j.w, j.bias = nil, nil, nil, nil
}

// run computes dst columns [lo, hi): for each block of x rows, widen a
// tile of weight rows once and run every x row of the block over it, so the
// tile is read from cache rather than memory for all but the first row.
func (j *matmulJob) run(worker, lo, hi int) {
	n, k, m := j.n, j.k, j.m
	tile := max(tileFloats/max(k, 1), 1)
	for i0 := 0; i0 < n; i0 += xBlockRows {
		i1 := min(i0+xBlockRows, n)
		for r0 := lo; r0 < hi; r0 += tile {
			r1 := min(r0+tile, hi)
			ws := weightRows(j.w, r0, r1, &j.scratch[worker])
			for i := i0; i < i1; i++ {
				xi, out := j.x[i*k:(i+1)*k], j.dst[i*m:(i+1)*m]
				for r := r0; r < r1; r++ {
					out[r] = dot(ws[(r-r0)*k:(r-r0+1)*k], xi)
				}
			}
		}
	}
	if j.bias != nil {
		for i := range n {
			out := j.dst[i*m : (i+1)*m]
			for r := lo; r < hi; r++ {
				out[r] += j.bias[r]
			}
		}
	}
}

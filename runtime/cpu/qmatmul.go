package cpu

import (
	"encoding/binary"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// qmatmulJob is one MatMul on Q8 or Q4 weights, split across workers by
// row groups of w, so a single-token product is parallel too. The weights
// stay quantized: each pass decodes one block of the four rows of a group
// (their blocks are adjacent in storage) and runs a run of x rows over it.
//
// Result (i, r) is computed in float32 as
//
//	s_b = dot(q_rb, x_ib)          over the block's columns (see dot)
//	acc = (…((0 + d_r0·s_0) + d_r1·s_1) + …) + d_r,KB−1·s_KB−1
//	dst = acc + bias_r
//
// with q_rb the block's integer quants as float32 (Q4: nibble − 8), d_rb
// its f16 scale widened, and each product d·s rounded before it is added.
// The order depends on neither the number of x rows nor the workers.
type qmatmulJob struct {
	x, bias, dst []float32
	n, k, m      int
	q            []byte             // the whole matrix's storage
	l            tensor.QuantLayout // of the whole matrix, not the view
	row0, g0     int                // first matrix row of the view, and its group
	scratch      []qScratch         // per worker
}

// qScratch is one worker's decoded block of a row group and its sums.
type qScratch struct {
	block [tensor.RowGroup][tensor.BlockSize]float32
	acc   []float32 // xBlockRows × RowGroup
}

// qmatmul runs MatMul on a quantized w whose shapes were checked: x is
// [n, w.cols], dst [n, w.rows], bias nil or [1, w.rows].
func (b *Backend) qmatmul(dst, x []float32, n int, w *handle, bias []float32) {
	j := &b.qmm
	j.x, j.dst, j.bias = x, dst, bias
	j.n, j.k, j.m = n, w.cols, w.rows
	j.q, j.l, j.row0 = w.buf.q, w.buf.layout, w.firstRow()
	j.g0 = j.row0 / tensor.RowGroup
	groups := 0
	if j.m > 0 {
		groups = (j.row0+j.m-1)/tensor.RowGroup - j.g0 + 1
	}
	b.pool.parallel(j, groups, minMACs/max(tensor.RowGroup*j.n*j.k, 1)+1)
	j.x, j.dst, j.bias, j.q = nil, nil, nil, nil
}

// run computes the view's rows in row groups [g0+lo, g0+hi).
func (j *qmatmulJob) run(worker, lo, hi int) {
	sc := &j.scratch[worker]
	if len(sc.acc) < xBlockRows*tensor.RowGroup {
		sc.acc = make([]float32, xBlockRows*tensor.RowGroup)
	}
	for g := j.g0 + lo; g < j.g0+hi; g++ {
		for i0 := 0; i0 < j.n; i0 += xBlockRows {
			i1 := min(i0+xBlockRows, j.n)
			acc := sc.acc[:(i1-i0)*tensor.RowGroup]
			clear(acc)
			j.group(sc, acc, g, i0, i1)
			j.store(acc, g, i0, i1)
		}
	}
}

// group accumulates, for x rows [i0, i1), the four rows of group g.
func (j *qmatmulJob) group(sc *qScratch, acc []float32, g, i0, i1 int) {
	k, bb, tab := j.k, j.l.BlockBytes, f16Table()
	for b := range j.l.Blocks {
		slot := (g*j.l.Blocks + b) * tensor.RowGroup
		quants := j.q[slot*bb : (slot+tensor.RowGroup)*bb]
		scales := j.q[int(j.l.ScalesAt)+2*slot : int(j.l.ScalesAt)+2*(slot+tensor.RowGroup)]
		var d [tensor.RowGroup]float32
		for r := range d {
			d[r] = tab[binary.LittleEndian.Uint16(scales[2*r:])]
			if j.l.DType == tensor.Q8 {
				decodeQ8(&sc.block[r], quants[r*bb:(r+1)*bb])
			} else {
				decodeQ4(&sc.block[r], quants[r*bb:(r+1)*bb])
			}
		}
		c0 := b * tensor.BlockSize
		if c1 := c0 + tensor.BlockSize; c1 <= k {
			for i := i0; i < i1; i++ {
				xb := (*[tensor.BlockSize]float32)(j.x[i*k+c0 : i*k+c1])
				a := acc[(i-i0)*tensor.RowGroup:][:tensor.RowGroup]
				for r := range a {
					a[r] += float32(d[r] * dot32(&sc.block[r], xb))
				}
			}
			continue
		}
		for i := i0; i < i1; i++ { // the last, partial block
			xb := j.x[i*k+c0 : (i+1)*k]
			a := acc[(i-i0)*tensor.RowGroup:][:tensor.RowGroup]
			for r := range a {
				a[r] += float32(d[r] * dot(sc.block[r][:len(xb)], xb))
			}
		}
	}
}

// store writes the sums of group g that fall inside the view, plus bias.
func (j *qmatmulJob) store(acc []float32, g, i0, i1 int) {
	for r := range tensor.RowGroup {
		col := g*tensor.RowGroup + r - j.row0
		if col < 0 || col >= j.m {
			continue
		}
		for i := i0; i < i1; i++ {
			j.dst[i*j.m+col] = acc[(i-i0)*tensor.RowGroup+r]
			if j.bias != nil {
				j.dst[i*j.m+col] += j.bias[col]
			}
		}
	}
}

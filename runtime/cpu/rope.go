package cpu

import "github.com/phi2web/phi2web/runtime/backend"

// Rope rotates, in place, the first rotDim values of every head of x with
// "rotate half" pairing: for i < h = rotDim/2, using row pos0+t of table
// ([cos θ_0..cos θ_{h−1}, sin θ_0..sin θ_{h−1}]) for row t of x,
//
//	x'[i]   = x[i]·cos θ_i − x[i+h]·sin θ_i
//	x'[i+h] = x[i+h]·cos θ_i + x[i]·sin θ_i
func (b *Backend) Rope(x, table backend.Tensor, pos0, headDim, rotDim int) {
	const op = "Rope"
	xh, th := b.get(op, x), b.get(op, table)
	backend.CheckRope(x, table, pos0, headDim, rotDim)
	if overlaps(xh, th) {
		fail(op, "x %q overlaps table %q", xh.label, th.label)
	}
	h := rotDim / 2
	for t := range xh.rows {
		cs := th.row(pos0 + t)
		cos, sin := cs[:h], cs[h:rotDim]
		row := xh.row(t)
		for c0 := 0; c0 < len(row); c0 += headDim {
			lo, hi := row[c0:c0+h], row[c0+h:c0+rotDim]
			for i, c := range cos {
				a, bb := lo[i], hi[i]
				lo[i] = a*c - bb*sin[i]
				hi[i] = bb*c + a*sin[i]
			}
		}
	}
}

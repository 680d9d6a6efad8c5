package backendtest

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// testMatMulChain: MatMuls enqueued one after the other without a Read
// between them give, bit for bit, what each gives alone: independent
// ones reading one input, one reading another's output, one overwriting
// what an earlier one reads, and one overwriting an earlier one's output
// (a backend may run independent products together, never dependent
// ones out of order).
func testMatMulChain(e *env) {
	for _, dt := range []tensor.DType{tensor.F32, tensor.Q4} {
		const n, k = 3, 64
		xv, aw, bw, cw := e.normal(n*k, 0, 1), e.normal(k*k, 0, 0.2), e.normal(k*k, 0, 0.2), e.normal(k*k, 0, 0.2)
		wa, _ := e.upload("wa", dt, k, k, aw)
		wb, _ := e.upload("wb", dt, k, k, bw)
		wc, _ := e.upload("wc", dt, k, k, cw)
		x, p, q, r := e.f32("x", n, k, xv), e.alloc("p", n, k), e.alloc("q", n, k), e.alloc("r", n, k)

		// One at a time, each read back before the next.
		e.b.MatMul(p, x, wa, nil)
		e.read(p)
		e.b.MatMul(q, x, wb, nil)
		e.read(q)
		e.b.MatMul(r, p, wc, nil) // reads p
		wantR := e.read(r)
		e.b.MatMul(p, q, wa, nil) // overwrites p, which the one before read
		wantP := e.read(p)
		e.b.MatMul(q, r, wb, nil) // overwrites q, the one before's input
		e.read(q)
		e.b.MatMul(q, x, wc, nil) // and the one before's output
		wantQ := e.read(q)

		// The same products in a row, read at the end.
		x, p, q, r = e.f32("x", n, k, xv), e.alloc("p", n, k), e.alloc("q", n, k), e.alloc("r", n, k)
		e.b.MatMul(p, x, wa, nil)
		e.b.MatMul(q, x, wb, nil)
		e.b.MatMul(r, p, wc, nil)
		e.b.MatMul(p, q, wa, nil)
		e.b.MatMul(q, r, wb, nil)
		e.b.MatMul(q, x, wc, nil)
		for _, c := range []struct {
			name string
			t    backend.Tensor
			want []float32
		}{{"r = (x·wa)·wc", r, wantR}, {"p = (x·wb)·wa", p, wantP}, {"q = x·wc", q, wantQ}} {
			e.expect(fmt.Sprintf("%s, %s in a row", dt, c.name), e.read(c.t), widen(c.want), nil)
		}
	}
}

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// quantizedX returns x as the Q8/Q4 matmuls see it (quant.wat): per block
// of 32, q = round-half-even(x·p·(qmax/(a·p))) in float32, with a the
// block's largest |x| and p the power of two that brings a into [1, 2),
// and x̂ = q·s with s = a/qmax. Explicit conversions keep Go from fusing
// the float32 operations.
func quantizedX(x []float32, qmax float32) []float64 {
	out := make([]float64, len(x))
	for b := 0; b < len(x); b += 32 {
		blk := x[b:min(b+32, len(x))]
		var a float32
		for _, v := range blk {
			a = max(a, float32(math.Abs(float64(v))))
		}
		if a == 0 {
			continue
		}
		p := math.Float32frombits((254 - min(math.Float32bits(a)>>23, 253)) << 23)
		inv := qmax / float32(a*p)
		s := a / qmax
		for c, v := range blk {
			t := float32(float32(v*p) * inv)
			out[b+c] = math.RoundToEven(float64(t)) * float64(s)
		}
	}
	return out
}

// TestMatmulQuantizedX: a Q8 or Q4 product equals, within float32
// rounding (1e-6·sqrt(k)·Σ_c |x̂_c·w_c|), the exact product of the stored
// weights with x̂, x quantized per block as quantizedX says: int8 (qmax
// 127) for Q4, int16 (qmax 32767) for Q8. Blocks of x span very different
// scales (subnormal and zero blocks included), so a kernel that quantized x
// more coarsely, more finely or with one scale per row would miss. A NaN in
// x makes its row NaN.
func TestMatmulQuantizedX(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 5))
	d := newDevice(t, 16<<20, 1)
	scales := []float64{1, 1e-3, 1e3, 0, 3e-39, 1, 0.25, 40}
	for _, mk := range matmulKernels[2:] {
		qmax := float32(127)
		if mk.dt == tensor.Q8 {
			qmax = 32767
		}
		for _, sh := range [][3]int{{1, 32, 4}, {3, 33, 13}, {2, 100, 8}, {1, 2560, 36}} {
			n, k, m := sh[0], sh[1], sh[2]
			name := fmt.Sprintf("%s n=%d k=%d m=%d", mk.dt, n, k, m)
			d.reset()
			w, x := normal(rng, m*k, 0, 0.5), normal(rng, n*k, 0, 1)
			for c := range x {
				x[c] *= float32(scales[(c/32+c/k)%len(scales)])
			}
			ws := stored(mk.dt, w, m, k)
			want, tol := make([]float32, n*m), make([]float64, n*m)
			for i := range n {
				xq := quantizedX(x[i*k:(i+1)*k], qmax)
				for j := range m {
					var dot, abs float64
					for c := range k {
						dot += xq[c] * float64(ws[j*k+c])
						abs += math.Abs(xq[c] * float64(ws[j*k+c]))
					}
					want[i*m+j], tol[i*m+j] = float32(dot), 1e-6*math.Sqrt(float64(k))*abs
				}
			}
			xa, wa, dst := d.putF32(x), d.put(storage(mk.dt, w, m, k)), d.alloc(4*n*m)
			scratch := d.alloc(MatMulScratch(n, k))
			d.call(0, mk.id, dst, xa, wa, 0, uint32(n), uint32(k), uint32(m), 0, uint32(m), scratch)
			within(t, name, d.f32s(dst, n*m), want, tol)

			x[k/2] = float32(math.NaN())
			d.call(0, mk.id, dst, d.putF32(x), wa, 0, uint32(n), uint32(k), uint32(m), 0, uint32(m), scratch)
			for j, v := range d.f32s(dst, m) {
				if v == v {
					t.Errorf("%s: NaN in x row 0, yet dst[0, %d] = %g", name, j, v)
				}
			}
		}
	}
}

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestMatmulQVec: matmul_q4_vec and matmul_q8_vec give matmul_q4's and
// matmul_q8's bits for one row of x over whole and partial chunks of
// blocks (k not a multiple of 128 or 32), m not a multiple of 4, column
// ranges cut at multiples of 4, with and without bias, and write nothing
// past MatVecScratch(k) bytes of scratch.
func TestMatmulQVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	d := newDevice(t, 8<<20, 1)
	for _, q := range []struct {
		dt       tensor.DType
		mat, vec int
	}{{tensor.Q4, MatmulQ4, MatmulQ4Vec}, {tensor.Q8, MatmulQ8, MatmulQ8Vec}} {
		for _, k := range []int{1, 31, 32, 100, 128, 160, 257, 2560, 2600} {
			for _, m := range []int{1, 4, 7, 36, 67} {
				checkMatVec(t, d, rng, q.dt, q.mat, q.vec, k, m)
			}
		}
	}
}

// checkMatVec runs one product of TestMatmulQVec.
func checkMatVec(t *testing.T, d *device, rng *rand.Rand, dt tensor.DType, mat, vec, k, m int) {
	t.Helper()
	d.reset()
	name := fmt.Sprintf("%s k=%d m=%d", dt, k, m)
	x, w := normal(rng, k, 0, 1), normal(rng, m*k, 0, 0.5)
	xa, wa := d.putF32(x), d.put(storage(dt, w, m, k))
	ba := uint32(0)
	if m%2 == 1 {
		ba = d.putF32(normal(rng, m, 0, 1))
	}
	want := d.alloc(4 * m)
	d.call(0, mat, want, xa, wa, ba, 1, uint32(k), uint32(m), 0, uint32(m), d.alloc(MatMulScratch(1, k)))

	got := d.alloc(4 * m)
	size := MatVecScratch(k)
	scratch := d.alloc(size + 64) // the last 64 bytes guard its end
	for j0 := 0; j0 < m; {
		j1 := min(j0+4*(1+rng.IntN(4)), m)
		d.call(0, vec, got, xa, wa, ba, uint32(k), uint32(m), uint32(j0), uint32(j1), scratch)
		j0 = j1
	}
	same(t, name, d.f32s(got, m), d.f32s(want, m))
	d.untouched(name+": scratch", scratch+uint32(size), scratch+uint32(size)+64)
}

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

var matmulKernels = []struct {
	dt tensor.DType
	id int
}{{tensor.F32, MatmulF32}, {tensor.F16, MatmulF16}, {tensor.Q8, MatmulQ8}, {tensor.Q4, MatmulQ4}}

func pick(rng *rand.Rand, v ...int) int { return v[rng.IntN(len(v))] }

// withScratch is a matmul call's arguments, with scratch last where the
// kernel takes it (Q8, Q4: x quantized once per call).
func withScratch(id int, scratch uint32, args ...uint32) []uint32 {
	if id == MatmulQ8 || id == MatmulQ4 {
		return append(args, scratch)
	}
	return args
}

// TestMatmul compares every matmul kernel with the reference on random
// shapes (n = 1, 3, 16 rows of x; k and m not multiples of 4 or 32 too),
// with and without bias.
//
// Tolerance 1e-6·(sqrt(k)·Σ_c |x_c·w_c| + |bias|), the conformance suite's:
// float32 sums err like a random walk of k roundings. F32 and F16 use the
// reference's summation order (bit-identical where Go does not fuse
// multiply-adds). Q8 and Q4 quantize x per block of 32 columns (int16 and
// int8, scale a/32767 and a/127 for the block's largest |x| a), which moves
// each x_c by at most a·(1/65534 + 2^-22) and a·(1/254 + 2^-22); the
// suite's Q8/Q4 allowance Σ_b e·a_b·Σ_{c∈b}|w_c|, e = 1/64000 and 1/250,
// covers that; TestMatmulQuantizedX checks the quantization itself.
//
// It also checks that results do not depend on the split: computing the
// columns in pieces [j0, j1) (random cuts at multiples of 4), or each row
// of x alone, gives the same bits as one call; a long Q8/Q4 product takes
// several passes over its row groups with 5 rows of x, one with a single row.
func TestMatmul(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	d := newDevice(t, 32<<20, 1)
	r := newRef(t)
	for _, mk := range matmulKernels {
		for c := range 15 {
			n := []int{1, 3, 16}[c%3]
			k := pick(rng, 1, 3, 4, 17, 32, 33, 80, 100, 257, 2560)
			m := pick(rng, 1, 3, 4, 5, 8, 13, 36, 67)
			withBias := c%2 == 0
			name := fmt.Sprintf("%s n=%d k=%d m=%d bias=%v", mk.dt, n, k, m, withBias)
			checkMatmul(t, d, r, mk.dt, mk.id, n, k, m, withBias, rng, name)
		}
		if mk.dt == tensor.Q8 || mk.dt == tensor.Q4 { // 38 groups: two passes for 5 rows of x
			checkMatmul(t, d, r, mk.dt, mk.id, 5, 8200, 150, true, rng, fmt.Sprintf("%s n=5 k=8200 m=150", mk.dt))
		}
	}
}

func checkMatmul(t *testing.T, d *device, r *ref, dt tensor.DType, id, n, k, m int, withBias bool, rng *rand.Rand, name string) {
	t.Helper()
	d.reset()
	w, x := normal(rng, m*k, 0, 0.5), normal(rng, n*k, 0, 1)
	bias := make([]float32, m)
	var biasT backend.Tensor
	if withBias {
		bias = normal(rng, m, 0, 1)
		biasT = r.f32(1, m, bias)
	}
	wb := storage(dt, w, m, k)
	want := r.alloc(n, m)
	r.b.MatMul(want, r.f32(n, k, x), r.upload(dt, m, k, wb), biasT)

	ws := stored(dt, w, m, k)
	tol := make([]float64, n*m)
	for i := range n {
		for j := range m {
			var abs float64
			for c := range k {
				abs += math.Abs(float64(x[i*k+c]) * float64(ws[j*k+c]))
			}
			tol[i*m+j] = 1e-6*(math.Sqrt(float64(k))*abs+math.Abs(float64(bias[j]))) +
				quantSlack(dt, x[i*k:(i+1)*k], ws[j*k:(j+1)*k])
		}
	}

	xa, wa, ba := d.putF32(x), d.put(wb), uint32(0)
	if withBias {
		ba = d.putF32(bias)
	}
	size := MatMulScratch(n, k)
	scratch := d.alloc(size + 64) // the last 64 bytes guard its end
	args := func(dst, x uint32, rows, j0, j1 int) []uint32 {
		return withScratch(id, scratch, dst, x, wa, ba, uint32(rows), uint32(k), uint32(m), uint32(j0), uint32(j1))
	}
	whole := d.alloc(4 * n * m)
	d.call(0, id, args(whole, xa, n, 0, m)...)
	got := d.f32s(whole, n*m)
	within(t, name, got, r.read(want), tol)

	pieces := d.alloc(4 * n * m)
	for j0 := 0; j0 < m; {
		j1 := min(j0+4*(1+rng.IntN(3)), m)
		d.call(0, id, args(pieces, xa, n, j0, j1)...)
		j0 = j1
	}
	same(t, name+" in column pieces", d.f32s(pieces, n*m), got)

	rows := d.alloc(4 * n * m)
	for i := range n {
		d.call(0, id, args(rows+uint32(4*i*m), xa+uint32(4*i*k), 1, 0, m)...)
	}
	same(t, name+" row by row", d.f32s(rows, n*m), got)
	d.untouched(name+": scratch", scratch+uint32(size), scratch+uint32(size)+64)
}

// TestMatmulEmptyRange: j0 = j1 and n = 0 write nothing.
func TestMatmulEmptyRange(t *testing.T) {
	d := newDevice(t, 1<<20, 1)
	for _, mk := range matmulKernels {
		d.reset()
		k, m := 40, 8
		wb := storage(mk.dt, make([]float32, k*m), m, k)
		xa, wa := d.putF32(make([]float32, k)), d.put(wb)
		dst, scratch := d.alloc(4*m), d.alloc(MatMulScratch(1, k))
		d.call(0, mk.id, withScratch(mk.id, scratch, dst, xa, wa, 0, 1, uint32(k), uint32(m), 4, 4)...)
		d.call(0, mk.id, withScratch(mk.id, scratch, dst, xa, wa, 0, 0, uint32(k), uint32(m), 0, uint32(m))...)
		for i, v := range d.f32s(dst, m) {
			if v == v {
				t.Errorf("%s: dst[%d] = %g written by an empty job", mk.dt, i, v)
			}
		}
	}
}

// TestMatmulF16Special: F16 weights are widened exactly, Inf, NaN and
// subnormals included, so such weights give what the reference gives.
func TestMatmulF16Special(t *testing.T) {
	halfs := [][]uint16{ // rows of w, k = 5
		{0x7c00, 0, 0, 0, 0}, {0xfc00, 0x3c00, 0, 0, 0}, {0x7e00, 0, 0, 0, 0},
		{0x0001, 0x83ff, 0x8000, 0x03ff, 0x0400}, {0x3c00, 0x3c00, 0x3c00, 0x3c00, 0xfbff},
	}
	var b []byte
	for _, row := range halfs {
		for _, h := range row {
			b = append(b, byte(h), byte(h>>8))
		}
	}
	x := []float32{1, 2, 3, 4, 0x1p20}
	r := newRef(t)
	want := r.alloc(1, 5)
	r.b.MatMul(want, r.f32(1, 5, x), r.upload(tensor.F16, 5, 5, b), nil)
	d := newDevice(t, 1<<20, 1)
	dst := d.alloc(20)
	d.call(0, MatmulF16, dst, d.putF32(x), d.put(b), 0, 1, 5, 5, 0, 5)
	got, wv := d.f32s(dst, 5), r.read(want)
	for i := range got {
		if got[i] != wv[i] && !(got[i] != got[i] && wv[i] != wv[i]) {
			t.Errorf("row %d: %g, want %g", i, got[i], wv[i])
		}
	}
}

// TestMatmulMisalignedJob: a Q8 or Q4 job must start at a row group (j0 a
// multiple of 4); otherwise it traps rather than write columns below j0.
func TestMatmulMisalignedJob(t *testing.T) {
	d := newDevice(t, 1<<20, 1)
	for _, mk := range matmulKernels[2:] {
		d.reset()
		k, m := 40, 8
		xa, wa := d.putF32(make([]float32, k)), d.put(storage(mk.dt, make([]float32, k*m), m, k))
		if err := d.try(0, mk.id, d.alloc(4*m), xa, wa, 0, 1, uint32(k), uint32(m), 2, uint32(m), d.alloc(MatMulScratch(1, k))); err == nil {
			t.Errorf("%s: a job starting at column 2 did not trap", mk.dt)
		}
	}
}

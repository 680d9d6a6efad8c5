package cpu

import (
	"fmt"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// BenchmarkMatMul times one-token products at Phi-2's projection shapes
// (2560×2560 for attention, 10240×2560 for fc1) and a 16-row prefill.
func BenchmarkMatMul(b *testing.B) {
	for _, shape := range []struct{ n, m, k int }{{1, 2560, 2560}, {1, 10240, 2560}, {16, 2560, 2560}} {
		for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.Q8, tensor.Q4} {
			b.Run(fmt.Sprintf("n=%d/%dx%d/%s", shape.n, shape.m, shape.k, dt), func(b *testing.B) {
				f := newFixture(b)
				x, w := f.random("x", tensor.F32, shape.n, shape.k), f.random("w", dt, shape.m, shape.k)
				dst, _ := f.b.Alloc("dst", tensor.F32, shape.n, shape.m)
				f.b.MatMul(dst, x, w, nil)
				for b.Loop() {
					f.b.MatMul(dst, x, w, nil)
				}
				flops := 2 * float64(shape.n*shape.m*shape.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

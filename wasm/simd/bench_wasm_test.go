package simd

import (
	"fmt"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// BenchmarkRun measures one run call of jobs that copy 4 bytes: the cost
// every op adds, from the guest through the host to the kernel threads and
// back. PHI2_THREADS sets the host's workers.
func BenchmarkRun(b *testing.B) {
	be := New()
	defer be.Close()
	x, err := be.Alloc("x", tensor.F32, 1, 64)
	if err != nil {
		b.Fatal(err)
	}
	at := x.(*handle).addr(0)
	for _, jobs := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d/jobs=%d", be.workers, jobs), func(b *testing.B) {
			for b.Loop() {
				for j := range jobs {
					be.job(kernels.Copy, at+int32(4*j), at+128, 4)
				}
				be.submit("bench")
			}
			if be.err != nil {
				b.Fatal(be.err)
			}
		})
	}
}

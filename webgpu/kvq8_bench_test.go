//go:build cgo && !js && (linux || darwin || windows) && (amd64 || arm64)

package webgpu

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// BenchmarkDecodeAttention is the attention of one layer in a Phi-2 decode
// step at context 2048 (32 heads of 80): the new key and value written to
// the caches, then one query over 2048 keys, waited for. gpu-µs/op is the
// GPU time of those dispatches (timestamp queries), without the submission
// and readback around them.
func BenchmarkDecodeAttention(b *testing.B) {
	const heads, headDim, ctx = 32, 80, 2048
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.KVQ8} {
		b.Run(dt.String(), func(b *testing.B) {
			be, err := New(Options{SkipSelfTest: true, Profile: true})
			if err != nil {
				b.Fatal(err)
			}
			defer be.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			x := make([]float32, ctx*heads*headDim)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			rows := upload(b, be, "rows", ctx, heads*headDim, x)
			var caches [2]backend.Tensor
			for i := range caches {
				if caches[i], err = be.AllocKV("cache", dt, ctx, heads, headDim); err != nil {
					b.Fatal(err)
				}
				be.Copy(caches[i], 0, rows, 0, ctx-1)
			}
			q := be.View(rows, ctx-1, 1)
			out := must(be.Alloc("out", tensor.F32, 1, heads*headDim))
			step := func() {
				be.Copy(caches[0], ctx-1, rows, ctx-1, 1)
				be.Copy(caches[1], ctx-1, rows, ctx-1, 1)
				be.Attention(out, q, caches[0], caches[1], ctx-1, headDim, 0.1)
				if err := be.sync(); err != nil {
					b.Fatal(err)
				}
			}
			step()
			be.ResetProfile()
			b.ResetTimer()
			for range b.N {
				step()
			}
			b.StopTimer()
			var gpu float64
			for _, k := range be.Profile() {
				if strings.HasPrefix(k.Kernel, "attention") || strings.HasPrefix(k.Kernel, "copy") {
					gpu += float64(k.Total.Microseconds())
				}
			}
			b.ReportMetric(gpu/float64(b.N), "gpu-µs/op")
		})
	}
}

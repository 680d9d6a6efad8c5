package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// BenchmarkMatmul: single-thread GFLOP/s (2·n·k·m per call) of each
// matmul kernel for a decode step (1×2560 · 10240×2560, Phi-2's MLP) and
// prefill chunks (16×2560 · 2560×2560; 64×10240 · 2560×10240, the MLP's
// second product for a 64-token batch). Calls cycle through copies of the
// weights totalling over 96 MiB, so they stream from DRAM as a model's
// weights do rather than sitting in the last-level cache.
func BenchmarkMatmul(b *testing.B) {
	for _, sh := range [][3]int{{1, 2560, 10240}, {1, 10240, 2560}, {16, 2560, 2560}, {64, 10240, 2560}} {
		n, k, m := sh[0], sh[1], sh[2]
		rng := rand.New(rand.NewPCG(1, 2))
		w, x := normal(rng, m*k, 0, 0.5), normal(rng, n*k, 0, 1)
		for _, mk := range []struct {
			dt tensor.DType
			id int
		}{{tensor.Q4, MatmulQ4}, {tensor.Q8, MatmulQ8}, {tensor.F16, MatmulF16}, {tensor.F32, MatmulF32}} {
			wb := storage(mk.dt, w, m, k)
			copies := max(1, (96<<20+len(wb)-1)/len(wb))
			b.Run(fmt.Sprintf("%s/%dx%d·%dx%d", mk.dt, n, k, m, k), func(b *testing.B) {
				d := newDevice(b, copies*len(wb)+4*(n*k+n*m)+MatMulScratch(n, k)+1<<20, 1)
				xa, dst, scratch := d.putF32(x), d.alloc(4*n*m), d.alloc(MatMulScratch(n, k))
				ws := make([]uint32, copies)
				for i := range ws {
					ws[i] = d.put(wb)
				}
				i := 0
				for b.Loop() {
					d.call(0, mk.id, withScratch(mk.id, scratch, dst, xa, ws[i%copies], 0, uint32(n), uint32(k), uint32(m), 0, uint32(m))...)
					i++
				}
				b.ReportMetric(2*float64(n*k*m)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkMatVec: single-thread GFLOP/s of the decode products
// matmul_q4_vec and matmul_q8_vec (one row of x) at Phi-2's MLP shapes,
// the weights cycled through copies totalling over 96 MiB.
func BenchmarkMatVec(b *testing.B) {
	for _, sh := range [][2]int{{2560, 10240}, {10240, 2560}} {
		k, m := sh[0], sh[1]
		rng := rand.New(rand.NewPCG(1, 2))
		w, x := normal(rng, m*k, 0, 0.5), normal(rng, k, 0, 1)
		for _, mk := range []struct {
			dt tensor.DType
			id int
		}{{tensor.Q4, MatmulQ4Vec}, {tensor.Q8, MatmulQ8Vec}} {
			wb := storage(mk.dt, w, m, k)
			copies := max(1, (96<<20+len(wb)-1)/len(wb))
			b.Run(fmt.Sprintf("%s/1x%d·%dx%d", mk.dt, k, m, k), func(b *testing.B) {
				d := newDevice(b, copies*len(wb)+4*(k+m)+MatVecScratch(k)+1<<20, 1)
				xa, dst, scratch := d.putF32(x), d.alloc(4*m), d.alloc(MatVecScratch(k))
				ws := make([]uint32, copies)
				for i := range ws {
					ws[i] = d.put(wb)
				}
				i := 0
				for b.Loop() {
					d.call(0, mk.id, dst, xa, ws[i%copies], 0, uint32(k), uint32(m), 0, uint32(m), scratch)
					i++
				}
				b.ReportMetric(2*float64(k*m)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkAttention: one decode step of Phi-2's attention (d 2560, 32
// heads of 80) at 128 and 2048 tokens of context, single thread.
func BenchmarkAttention(b *testing.B) {
	const d, hd = 2560, 80
	for _, ctx := range []int{128, 2048} {
		b.Run(fmt.Sprintf("ctx=%d", ctx), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			dev := newDevice(b, 2*4*ctx*d+1<<20, 1)
			q, k, v := dev.putF32(normal(rng, d, 0, 1)), dev.putF32(normal(rng, ctx*d, 0, 1)), dev.putF32(normal(rng, ctx*d, 0, 1))
			dst, scratch := dev.alloc(4*d), dev.alloc(AttentionScratch(d/hd, ctx))
			for b.Loop() {
				dev.call(0, Attention, dst, q, k, v, uint32(ctx-1), 1, d, hd, bits(0.1118), 0, d/hd, scratch)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/call")
		})
	}
}

// BenchmarkAttentionF16: one decode step at 2048 tokens of context (d
// 2560, 32 heads of 80), single thread, over an F32 cache (attention) and
// an F16 cache (attention_f16, its flag clear) of the same values.
func BenchmarkAttentionF16(b *testing.B) {
	const d, hd, ctx = 2560, 80, 2048
	rng := rand.New(rand.NewPCG(3, 4))
	k, v := normal(rng, ctx*d, 0, 1), normal(rng, ctx*d, 0, 1)
	for _, c := range []struct {
		dt tensor.DType
		id int
	}{{tensor.F32, Attention}, {tensor.F16, AttentionF16}} {
		b.Run(fmt.Sprintf("%s/ctx=%d", c.dt, ctx), func(b *testing.B) {
			dev := newDevice(b, 2*4*ctx*d+1<<20, 1)
			q := dev.putF32(normal(rng, d, 0, 1))
			ka, va := dev.put(storage(c.dt, k, ctx, d)), dev.put(storage(c.dt, v, ctx, d))
			dst, scratch := dev.alloc(4*d), dev.alloc(AttentionScratch(d/hd, ctx))
			args := []uint32{dst, q, ka, va, ctx - 1, 1, d, hd, bits(0.1118), 0, d / hd, scratch}
			if c.dt == tensor.F16 { // copy_f16's flag, clear: no Inf or NaN in the cache
				args = append(args, dev.putI32([]int32{0}))
			}
			for b.Loop() {
				dev.call(0, c.id, args...)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/call")
		})
	}
}

// BenchmarkAttentionKVQ8: one decode step (d 2560, 32 heads of 80) at 128
// and 2048 tokens of context, single thread, over KVQ8 caches
// (attention_kvq8); compare BenchmarkAttention and BenchmarkAttentionF16.
func BenchmarkAttentionKVQ8(b *testing.B) {
	const d, hd = 2560, 80
	for _, ctx := range []int{128, 2048} {
		b.Run(fmt.Sprintf("ctx=%d", ctx), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			k, v := normal(rng, ctx*d, 0, 1), normal(rng, ctx*d, 0, 1)
			dev := newDevice(b, 3*ctx*d+1<<20, 1)
			q := dev.putF32(normal(rng, d, 0, 1))
			ka, va := dev.put(kvq8Storage(k, ctx, d/hd, hd)), dev.put(kvq8Storage(v, ctx, d/hd, hd))
			dst, scratch := dev.alloc(4*d), dev.alloc(kvq8Scratch(ctx, hd))
			for b.Loop() {
				dev.call(0, AttentionKVQ8, dst, q, ka, va, uint32(ctx-1), 1, d, hd, bits(0.1118), 0, d/hd, uint32(ctx), scratch)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/call")
		})
	}
}

package simd_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"syscall/js"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
	"github.com/phi2web/phi2web/wasm/simd"
)

// In a browser the host loads kernels-relaxed.wasm (V8 validates relaxed
// SIMD): a detection that fell back to kernels.wasm fails here.
func TestKernelsRelaxedInBrowser(t *testing.T) {
	b := simd.New()
	defer b.Close()
	if got, err := b.Kernels(); err != nil || got != "relaxed" {
		t.Errorf("Kernels() = %q, %v; want relaxed: the host should load kernels-relaxed.wasm in V8", got, err)
	}
}

// v8Kernels is one kernel module instantiated by V8 over a memory of its own.
type v8Kernels struct {
	mem     js.Value
	exports js.Value
}

func newV8Kernels(t testing.TB, module []byte, bytes int) v8Kernels {
	t.Helper()
	wasm := js.Global().Get("WebAssembly")
	pages := (bytes + 65535) >> 16
	mem := wasm.Get("Memory").New(map[string]any{"initial": pages, "maximum": pages, "shared": true})
	code := js.Global().Get("Uint8Array").New(len(module))
	js.CopyBytesToJS(code, module)
	inst := wasm.Get("Instance").New(wasm.Get("Module").New(code),
		map[string]any{"env": map[string]any{"memory": mem}})
	return v8Kernels{mem, inst.Get("exports")}
}

func (k v8Kernels) write(addr int, data []byte) {
	js.CopyBytesToJS(js.Global().Get("Uint8Array").New(k.mem.Get("buffer"), addr, len(data)), data)
}

func (k v8Kernels) read(addr, n int) []byte {
	out := make([]byte, n)
	js.CopyBytesToGo(out, js.Global().Get("Uint8Array").New(k.mem.Get("buffer"), addr, n))
	return out
}

// TestRelaxedQ4MatchesBaseline runs matmul_q4 of kernels.wasm and of
// kernels-relaxed.wasm in V8 on the same random inputs (every tile of rows
// of x, whole and partial chunks of blocks, k not a multiple of 32, m not
// a multiple of 4, jobs over part of the columns, several passes) and
// wants the same bits: both sum the same exact integer dot products and
// scale and add them in the same order. The relaxed ones are exact because
// the int8 operand (x) is in [-127, 127] and the i7 one (a nibble) in
// [0, 15], so no pair sum (at most 2·127·15) saturates int16.
func TestRelaxedQ4MatchesBaseline(t *testing.T) {
	const bytes = 16 << 20
	base := newV8Kernels(t, kernels.Module, bytes)
	relaxed := newV8Kernels(t, kernels.RelaxedModule, bytes)
	rng := rand.New(rand.NewPCG(17, 3))
	cases := [][5]int{ // n, k, m, j0, j1 (j1 0: m)
		{1, 32, 4, 0, 0}, {1, 2560, 260, 0, 0}, {2, 100, 67, 0, 0}, {3, 257, 13, 4, 9},
		{4, 160, 36, 0, 0}, {5, 8200, 150, 0, 0}, {7, 33, 5, 0, 0}, {16, 2560, 40, 8, 36},
		{9, 1000, 68, 0, 0}, {128, 256, 20, 0, 0},
	}
	for _, c := range cases {
		n, k, m, j0, j1 := c[0], c[1], c[2], c[3], c[4]
		if j1 == 0 {
			j1 = m
		}
		name := fmt.Sprintf("n=%d k=%d m=%d cols [%d, %d)", n, k, m, j0, j1)
		w, x := randomQ4(rng, n, k, m)
		wAt, xAt := 256, 256+len(w)
		dstAt := xAt + len(x)
		scratchAt := dstAt + 4*n*m
		if scratchAt+kernels.MatMulScratch(n, k) > bytes {
			t.Fatalf("%s: needs more than %d bytes", name, bytes)
		}
		var outs [2][]byte
		for i, kk := range []v8Kernels{base, relaxed} {
			kk.write(wAt, w)
			kk.write(xAt, x)
			kk.exports.Call("matmul_q4", dstAt, xAt, wAt, 0, n, k, m, j0, j1, scratchAt)
			outs[i] = kk.read(dstAt, 4*n*m)
		}
		for i := 0; i < n*m; i++ {
			if col := i % m; col < j0 || col >= j1 {
				continue
			}
			a, b := binary.LittleEndian.Uint32(outs[0][4*i:]), binary.LittleEndian.Uint32(outs[1][4*i:])
			if a != b {
				t.Errorf("%s: output [%d, %d] = %g relaxed, %g baseline", name, i/m, i%m,
					math.Float32frombits(b), math.Float32frombits(a))
				break
			}
		}
	}
}

// TestQ4VecInV8: matmul_q4_vec of both modules in V8 gives matmul_q4's bits
// for one row of x (whole and partial chunks of blocks, k not a multiple of
// 32, m not a multiple of 4, jobs over part of the columns).
func TestQ4VecInV8(t *testing.T) {
	const size = 4 << 20
	rng := rand.New(rand.NewPCG(17, 4))
	for _, mod := range []struct {
		name string
		wasm []byte
	}{{"kernels.wasm", kernels.Module}, {"kernels-relaxed.wasm", kernels.RelaxedModule}} {
		kk := newV8Kernels(t, mod.wasm, size)
		for _, c := range [][4]int{{32, 4, 0, 0}, {2560, 260, 0, 0}, {100, 67, 4, 20}, {257, 13, 0, 0}, {2600, 9, 4, 9}} {
			k, m, j0, j1 := c[0], c[1], c[2], c[3]
			if j1 == 0 {
				j1 = m
			}
			w, x := randomQ4(rng, 1, k, m)
			wAt, xAt := 256, 256+len(w)
			wantAt := xAt + len(x)
			gotAt := wantAt + 4*m
			scratchAt := gotAt + 4*m
			kk.write(wAt, w)
			kk.write(xAt, x)
			kk.exports.Call("matmul_q4", wantAt, xAt, wAt, 0, 1, k, m, j0, j1, scratchAt)
			kk.exports.Call("matmul_q4_vec", gotAt, xAt, wAt, 0, k, m, j0, j1, scratchAt)
			want, got := kk.read(wantAt, 4*m), kk.read(gotAt, 4*m)
			if !bytes.Equal(want[4*j0:4*j1], got[4*j0:4*j1]) {
				t.Errorf("%s k=%d m=%d cols [%d, %d): matmul_q4_vec differs from matmul_q4", mod.name, k, m, j0, j1)
			}
		}
	}
}

// timeV8 times call in b's loop after a second of calls: V8 compiles an
// optimized tier in the background while the first one runs.
func timeV8(b *testing.B, call func()) {
	for start := time.Now(); time.Since(start) < time.Second; {
		call()
	}
	for b.Loop() {
		call()
	}
}

// randomQ4 is a random Q4 matrix [m, k] (f16 scales of either sign, 2^-8
// to 2^-6) and n rows of x (F32) with some blocks of tiny values and zeros.
func randomQ4(rng *rand.Rand, n, k, m int) (w, x []byte) {
	kb, groups := (k+31)/32, (m+3)/4
	w = make([]byte, kb*64*groups+kb*8*groups)
	for i := range kb * 64 * groups {
		w[i] = byte(rng.Uint32())
	}
	for i := kb * 64 * groups; i < len(w); i += 2 {
		binary.LittleEndian.PutUint16(w[i:], uint16(0x1c00+rng.IntN(0x800))|uint16(rng.IntN(2))<<15)
	}
	x = make([]byte, 4*n*k)
	for i := range n * k {
		v := float32(rng.NormFloat64())
		if i%97 < 32 && i/97%5 == 0 {
			v *= float32(i%3) * 1e-30
		}
		binary.LittleEndian.PutUint32(x[4*i:], math.Float32bits(v))
	}
	return w, x
}

// BenchmarkPromptQ4: single-thread GFLOP/s (2·n·k·m per call) of matmul_q4
// in V8 for a 128-token prompt at Phi-2's shapes (m×k 2560×2560:
// attention's projections; 10240×2560: the MLP's first; 2560×10240: its
// second), both kernel modules.
func BenchmarkPromptQ4(b *testing.B) {
	const n = 128
	for _, sh := range [][2]int{{2560, 2560}, {2560, 10240}, {10240, 2560}} {
		k, m := sh[0], sh[1]
		w, x := randomQ4(rand.New(rand.NewPCG(1, 2)), n, k, m)
		for _, mod := range []struct {
			name string
			wasm []byte
		}{{"simd", kernels.Module}, {"relaxed", kernels.RelaxedModule}} {
			b.Run(fmt.Sprintf("%s/%dx%d·%dx%d", mod.name, n, k, m, k), func(b *testing.B) {
				wAt, xAt := 256, 256+len(w)
				dstAt := xAt + len(x)
				scratchAt := dstAt + 4*n*m
				kk := newV8Kernels(b, mod.wasm, scratchAt+kernels.MatMulScratch(n, k))
				kk.write(wAt, w)
				kk.write(xAt, x)
				fn := kk.exports.Get("matmul_q4")
				call := func() { fn.Invoke(dstAt, xAt, wAt, 0, n, k, m, 0, m, scratchAt) }
				timeV8(b, call)
				b.ReportMetric(2*float64(n*k*m)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkDecodeAttention times one decode step of Phi-2's attention (d
// 2560, 32 heads of 80, one job) in V8 at 128 and 2048 tokens of context,
// over an F32 cache (attention) and an F16 one (attention_f16) of fresh
// random values: at 2048 the caches (42 and 21 MB) come from memory.
func BenchmarkDecodeAttention(b *testing.B) {
	const d, hd = 2560, 80
	rng := rand.New(rand.NewPCG(3, 4))
	values := func(n, size int) []byte {
		out := make([]byte, size*n)
		for i := range n {
			f := float32(rng.NormFloat64())
			if size == 2 {
				binary.LittleEndian.PutUint16(out[2*i:], tensor.F32ToF16(f))
			} else {
				binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(f))
			}
		}
		return out
	}
	for _, ctx := range []int{128, 2048} {
		for _, c := range []struct {
			name, kernel string
			size         int
			flag         byte
		}{{"attention", "attention", 4, 0}, {"attention_f16", "attention_f16", 2, 0}, {"attention_f16_exact", "attention_f16", 2, 1}} {
			b.Run(fmt.Sprintf("%s/ctx=%d", c.name, ctx), func(b *testing.B) {
				k, v := values(ctx*d, c.size), values(ctx*d, c.size)
				flagAt, qAt := 64, 256
				kAt := qAt + 4*d
				vAt := kAt + len(k)
				dstAt := vAt + len(v)
				scratchAt := dstAt + 4*d
				kk := newV8Kernels(b, kernels.RelaxedModule, scratchAt+kernels.AttentionScratch(d/hd, ctx))
				kk.write(flagAt, []byte{c.flag, 0, 0, 0})
				kk.write(qAt, values(d, 4))
				kk.write(kAt, k)
				kk.write(vAt, v)
				fn := kk.exports.Get(c.kernel)
				call := func() {
					fn.Invoke(dstAt, qAt, kAt, vAt, ctx-1, 1, d, hd, int32(math.Float32bits(0.1118)), 0, d/hd, scratchAt, flagAt)
				}
				timeV8(b, call)
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/call")
			})
		}
	}
}

// BenchmarkDecodeQ times a decode step's Q4 and Q8 products in V8 (one row
// of x, kernels-relaxed.wasm) by matmul_q4 and matmul_q8, which sweep every
// row group chunk by chunk, and by matmul_q4_vec and matmul_q8_vec, which
// read each group front to back: m×k 10240×2560 (the MLP's first product)
// and 2560×10240 (its second), the weights cycled through 8 copies so that
// they come from memory.
func BenchmarkDecodeQ(b *testing.B) {
	for _, q := range []string{"q4", "q8"} {
		for _, shape := range [][2]int{{2560, 10240}, {10240, 2560}} {
			k, m := shape[0], shape[1]
			rng := rand.New(rand.NewPCG(1, 2))
			w, x := randomQ4(rng, 1, k, m)
			if q == "q8" {
				w = randomQ8(rng, k, m)
			}
			const copies = 8
			xAt := 256
			scratchAt := xAt + len(x)
			wAt := (scratchAt + kernels.MatVecScratch(k) + 4095) &^ 4095
			dstAt := wAt + copies*len(w)
			for _, kernel := range []string{"matmul_" + q, "matmul_" + q + "_vec"} {
				b.Run(fmt.Sprintf("%s/1x%d·%dx%d", kernel, k, m, k), func(b *testing.B) {
					kk := newV8Kernels(b, kernels.RelaxedModule, dstAt+4*m)
					kk.write(xAt, x)
					for c := range copies {
						kk.write(wAt+c*len(w), w)
					}
					fn := kk.exports.Get(kernel)
					i := 0
					call := func() {
						at := wAt + i%copies*len(w)
						if kernel == "matmul_"+q {
							fn.Invoke(dstAt, xAt, at, 0, 1, k, m, 0, m, scratchAt)
						} else {
							fn.Invoke(dstAt, xAt, at, 0, k, m, 0, m, scratchAt)
						}
						i++
					}
					timeV8(b, call)
					b.ReportMetric(2*float64(k*m)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// randomQ8 is a random Q8 matrix [m, k] in the layout of docs/format.md:
// int8 quants of any value, then f16 scales as randomQ4's.
func randomQ8(rng *rand.Rand, k, m int) []byte {
	kb, groups := (k+31)/32, (m+3)/4
	w := make([]byte, kb*128*groups+kb*8*groups)
	for i := range kb * 128 * groups {
		w[i] = byte(rng.Uint32())
	}
	for i := kb * 128 * groups; i < len(w); i += 2 {
		binary.LittleEndian.PutUint16(w[i:], uint16(0x1c00+rng.IntN(0x800))|uint16(rng.IntN(2))<<15)
	}
	return w
}

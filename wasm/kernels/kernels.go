// Package kernels holds the WebAssembly SIMD kernels of the wasm CPU path
// (docs/kernels.md): a module, assembled from the *.wat sources here by
// build.sh (`go generate`; needs wat2wasm from wabt, and python3 for the Q8
// and Q4 matmuls, which gen_matmul_q.py writes), that imports its
// memory as env.memory (shared, up to 4 GiB) and exports one function per
// kernel. It comes in two builds with the same exports and results:
// Module, and RelaxedModule for runtimes with relaxed SIMD. Every parameter is an i32: byte addresses into that memory,
// counts, and float parameters as their bit patterns.
//
// A host instantiates Module once per thread over the same shared memory
// and calls the export Names[id] for a job whose kernel id is id. Kernels
// keep no state between calls, read and write only inside the ranges they
// are given, and jobs on disjoint output ranges may run at the same time.
//
// # Notes
//
// Results, compared with the pure-Go reference (runtime/cpu):
//   - matmul_f32, matmul_f16, layernorm, add, add3, rope and the embeds
//     perform the reference's float32 operations in its order (partial sums
//     in lanes c mod 4), so they match it bit for bit where Go does not fuse
//     multiply-adds. F16 is widened exactly, Inf and NaN included.
//   - matmul_q8 and matmul_q4 quantize each 32-value block of x, as GGML's
//     q8_0 does for its quantized products: to int16 (Q8) or int8 (Q4) with
//     the f32 scale a/32767 or a/127 for the block's largest |x| a, which
//     moves each value by at most a/65534 or a/254 (plus float32 rounding).
//     A block's integer products are summed exactly and scaled once; block
//     results are added in a fixed order (see gen_matmul_q.py).
//   - attention's scores use the reference's dot order; the softmax exp is a
//     polynomial with a relative error below 3e-7 (measured 1.1e-7).
//   - gelu_new computes x/(1 + e^(−2u)), within 2e-6·|x| of the reference.
//   - copy_f16 rounds as tensor.F32ToF16, bit for bit; attention_f16 gives
//     the bits of attention over an F32 cache of the widened F16 values.
//   - copy_kvq8 quantizes as tensor.QuantizeKVQ8, bit for bit.
//     attention_kvq8 quantizes q to int16 per head (max|q|/32767), which
//     moves a score by at most scale·Σ_c|k_c|·max|q|/65534; the rest is
//     attention's arithmetic in another order (kvq8_test.go states the
//     tolerance).
//
// Splitting a product into jobs, or x into fewer rows, never changes a
// result's bits. attention and attention_f16 need head_dim to be a positive
// multiple of 4. A Q8 or Q4 job must start at a multiple of 4 rows and an
// embed id must be in range; otherwise the kernel traps rather than touch
// other memory.
//
//go:generate sh build.sh
package kernels

import _ "embed"

// JS is kernels.js, the ES module that gives a page or worker the imports
// of the Go engine's phi2 host module: it runs Module on a pool of Web
// Workers over one shared memory (docs/kernels.md).
//
//go:embed kernels.js
var JS []byte

// Module is the assembled kernel module (kernels.wasm): WebAssembly SIMD,
// which every engine here runs (wazero included).
//
//go:embed kernels.wasm
var Module []byte

// RelaxedModule (kernels-relaxed.wasm) is Module with the Q4 matmul on
// relaxed SIMD's int8 dot products, for runtimes that validate it (V8:
// Chromium, Node.js 22); its results are Module's, bit for bit.
//
//go:embed kernels-relaxed.wasm
var RelaxedModule []byte

// Kernel ids: indexes into Names, in the order of docs/kernels.md.
const (
	MatmulF32 = iota
	MatmulF16
	MatmulQ8
	MatmulQ4
	EmbedF32
	EmbedF16
	EmbedQ8
	EmbedQ4
	LayerNorm
	GeluNew
	Add
	Add3
	Rope
	Attention
	Copy
	Argmax
	CopyF16
	AttentionF16
	CopyKVQ8
	AttentionKVQ8
	Features
	MatmulQ4Vec
	MatmulQ8Vec
)

// Names are the exports of Module; a kernel id indexes it.
var Names = []string{
	MatmulF32:     "matmul_f32",
	MatmulF16:     "matmul_f16",
	MatmulQ8:      "matmul_q8",
	MatmulQ4:      "matmul_q4",
	EmbedF32:      "embed_f32",
	EmbedF16:      "embed_f16",
	EmbedQ8:       "embed_q8",
	EmbedQ4:       "embed_q4",
	LayerNorm:     "layernorm",
	GeluNew:       "gelu_new",
	Add:           "add",
	Add3:          "add3",
	Rope:          "rope",
	Attention:     "attention",
	Copy:          "copy",
	Argmax:        "argmax",
	CopyF16:       "copy_f16",
	AttentionF16:  "attention_f16",
	CopyKVQ8:      "copy_kvq8",
	AttentionKVQ8: "attention_kvq8",
	Features:      "features",
	MatmulQ4Vec:   "matmul_q4_vec",
	MatmulQ8Vec:   "matmul_q8_vec",
}

// FeatureRelaxedSIMD is the bit of the features kernel's result that
// RelaxedModule sets.
const FeatureRelaxedSIMD = 1

// AttentionScratch is the bytes of scratch the attention kernel (F32 cache)
// needs for a job of heads heads over keys keys: a vector of running maxima
// per head, then each head's scores, rounded up to 16 bytes.
func AttentionScratch(heads, keys int) int {
	return heads * (16 + (4*keys+15)&^15)
}

// MatVecScratch is the bytes of scratch matmul_q4_vec and matmul_q8_vec
// need for x of k columns: at most six vectors per block of 32.
func MatVecScratch(k int) int {
	return (k + 31) / 32 * 96
}

// MatMulScratch is the bytes of scratch matmul_q4 and matmul_q8 need for n
// rows of x of k columns, each quantized once per call as MatVecScratch.
func MatMulScratch(n, k int) int {
	return n * MatVecScratch(k)
}

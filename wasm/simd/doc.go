// Package simd is the device backend of the wasm builds: a backend.Backend
// whose tensors live in the shared device memory of docs/kernels.md and
// whose ops run as jobs of the SIMD kernel module, spread by the host over
// its threads.
//
// The package imports the host functions of the "phi2" module (workers,
// grow, write, read, run), so it builds only for GOARCH=wasm and runs only
// under a host that provides them: wasm/host natively, a page's worker pool
// in the browser.
//
// Every op becomes one run call whose jobs split the work: MatMul by output
// columns in multiples of 4, elementwise ops by ranges, LayerNorm and Rope
// by rows, Attention by heads (each job with scratch of its own). Ops return
// when the run is done, so Read and Argmax only copy; a failed run is
// reported by the next Read or Argmax, and later ops are skipped.
//
// # Notes
//
// Attention needs a head dimension that is a multiple of 4, and a view of a
// Q8 or Q4 matrix must start at a multiple of 4 rows; other uses panic,
// saying so. Views of quantized matrices that do not cover the whole matrix
// are copied to scratch memory before a MatMul.
package simd

//go:build wasm

package cpu

const limitSource = "that fit in WebAssembly's 4 GiB of memory beside the program"

// memoryLimit leaves a quarter of wasm32's 4 GiB address space to the
// rest of the program (loader buffers, the runtime).
func memoryLimit() int64 { return 3 << 30 }

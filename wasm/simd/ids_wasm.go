package simd

import "github.com/phi2web/phi2web/wasm/kernels"

// kernelName names a kernel id in errors.
func kernelName(id int32) string {
	if id < 0 || int(id) >= len(kernels.Names) {
		return "?"
	}
	return kernels.Names[id]
}

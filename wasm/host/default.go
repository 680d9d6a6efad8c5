package host

import "github.com/phi2web/phi2web/wasm/kernels"

// defaultKernels is the project's kernel module.
func defaultKernels() *KernelModule {
	return &KernelModule{Wasm: kernels.Module, Names: kernels.Names}
}

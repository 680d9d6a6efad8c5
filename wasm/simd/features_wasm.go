package simd

import (
	"unsafe"

	"github.com/phi2web/phi2web/wasm/kernels"
)

// Kernels names the kernel module the host runs, as the module itself
// tells (its features kernel): "relaxed" for kernels-relaxed.wasm (relaxed
// SIMD, which a browser's V8 has), "simd" for kernels.wasm.
func (b *Backend) Kernels() (string, error) {
	if b.closed {
		return "", ErrClosed
	}
	if b.kernels != "" {
		return b.kernels, nil
	}
	out, ok := b.reserve(&b.argmax, "Kernels", 4)
	if b.err != nil || !ok {
		return "", b.err
	}
	b.job(kernels.Features, int32(out))
	b.submit("Kernels")
	if b.err != nil {
		return "", b.err
	}
	read(unsafe.Slice((*byte)(unsafe.Pointer(&b.result)), 4), uint64(out))
	b.kernels = "simd"
	if b.result&kernels.FeatureRelaxedSIMD != 0 {
		b.kernels = "relaxed"
	}
	return b.kernels, nil
}

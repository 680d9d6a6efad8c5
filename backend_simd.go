//go:build wasm

package phi2web

import (
	"fmt"

	"github.com/phi2web/phi2web/wasm/simd"
)

// simdBackend is the SIMD backend with its adapter line: its threads, and
// ", relaxed SIMD" where the host runs the relaxed-SIMD kernel module.
func simdBackend(fallback string) (chosen, error) {
	b := simd.New()
	kernels, err := b.Kernels()
	if err != nil {
		b.Close()
		return chosen{}, fmt.Errorf("%w: %v", ErrBackend, err)
	}
	adapter := fmt.Sprintf("wasm SIMD, %d thread(s)", b.Workers())
	if kernels == "relaxed" {
		adapter += ", relaxed SIMD"
	}
	return chosen{Backend: b, adapter: adapter, fallback: fallback}, nil
}

package simd_test

import (
	"testing"

	"github.com/phi2web/phi2web/wasm/simd"
)

// wasm/host runs kernels.wasm: wazero has no relaxed SIMD.
func TestKernelsBaselineUnderWazero(t *testing.T) {
	b := simd.New()
	defer b.Close()
	if got, err := b.Kernels(); err != nil || got != "simd" {
		t.Errorf("Kernels() = %q, %v; want simd", got, err)
	}
}

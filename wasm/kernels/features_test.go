package kernels

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// TestFeatures: Module (which wazero, without relaxed SIMD, compiles)
// reports no relaxed SIMD, and RelaxedModule holds relaxed-SIMD opcodes
// (0xfd 0x112, i16x8's int8 dot product, as LEB128). RelaxedModule's
// results are checked in V8 by wasm/simd's tests (GOOS=js, in Chromium).
func TestFeatures(t *testing.T) {
	d := newDevice(t, 1<<20, 1)
	out := d.alloc(4)
	d.call(0, Features, out)
	if b, _ := d.mem.ReadUint32Le(out); b != 0 {
		t.Errorf("kernels.wasm: features = %d, want 0", b)
	}
	dot := []byte{0xfd, 0x92, 0x02}
	if n := bytes.Count(RelaxedModule, dot); n < 2 {
		t.Errorf("kernels-relaxed.wasm holds %d relaxed-SIMD int8 dot products, want the Q4 kernel's", n)
	}
}

// TestWazeroLacksRelaxedSIMD: wazero (the native host's runtime) refuses
// RelaxedModule, which is why wasm/host runs Module. Should a wazero
// release accept it, the host could run RelaxedModule instead.
func TestWazeroLacksRelaxedSIMD(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(api.CoreFeaturesV2|experimental.CoreFeaturesThreads))
	defer rt.Close(ctx)
	if _, err := rt.CompileModule(ctx, RelaxedModule); err == nil {
		t.Error("wazero compiles kernels-relaxed.wasm: wasm/host could run it (check its results against kernels.wasm's)")
	}
}

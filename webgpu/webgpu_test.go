//go:build (js && wasm) || (cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/backend/backendtest"
	"github.com/phi2web/phi2web/runtime/tensor"
)

func newOrFail(t *testing.T, o Options) *Backend {
	t.Helper()
	b, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

// reused is a backend that the checks of a suite share: its Close leaves
// it open, for the suite's end.
type reused struct{ *Backend }

func (reused) Close() error { return nil }

// perCheck makes the backend of each check of a suite: natively a new one
// every time; in a browser one for the whole suite, since opening one
// there compiles every kernel, seconds on a software adapter and most of
// the suite's time otherwise.
func perCheck(t *testing.T, o Options) func(*testing.T) backend.Backend {
	if runtime.GOOS != "js" {
		return func(t *testing.T) backend.Backend { return newOrFail(t, o) }
	}
	var b *Backend
	return func(check *testing.T) backend.Backend {
		if b == nil {
			b = newOrFail(check, o)
			t.Cleanup(func() { b.Close() })
		}
		return reused{b}
	}
}

// TestConformance runs the shared backend suite (its stated tolerances
// against float64 references) on the WGSL kernels.
func TestConformance(t *testing.T) {
	backendtest.Run(t, perCheck(t, Options{SkipSelfTest: true}))
}

// TestConformanceSplit runs the suite with every weight cut into pieces of
// at most 1 KiB, as a weight larger than one storage binding is, with the
// matmul kernels that split rows across a workgroup (which a software
// adapter does not otherwise use), and with every decode attention split
// over the keys.
func TestConformanceSplit(t *testing.T) {
	backendtest.Run(t, perCheck(t, Options{SkipSelfTest: true, MaxPieceBytes: 1024, splitK: true, attnSplitMin: 1}))
}

func TestSelfTestPasses(t *testing.T) {
	b := newOrFail(t, Options{})
	defer b.Close()
	if b.Adapter().String() == "" {
		t.Error("adapter has no description")
	}
	t.Logf("adapter: %s; maxStorageBufferBindingSize %.0f; features %v", b.Adapter(), b.d.limit("maxStorageBufferBindingSize"), b.Adapter().Features)
}

func TestSelfTestRefusesWrongResults(t *testing.T) {
	_, err := New(Options{Fault: "selftest"})
	if err == nil || !strings.Contains(err.Error(), "self-test") || !strings.Contains(err.Error(), "reference gives") {
		t.Fatalf("New with a corrupted self-test: %v, want a self-test failure naming the value", err)
	}
}

func TestMissingLimitsRefused(t *testing.T) {
	_, err := New(Options{RequireLimits: map[string]float64{"maxStorageBufferBindingSize": 1 << 45}})
	if err == nil || !strings.Contains(err.Error(), "maxStorageBufferBindingSize") {
		t.Fatalf("New needing an impossible limit: %v, want an error naming the limit", err)
	}
}

func TestLostDeviceReported(t *testing.T) {
	b := newOrFail(t, Options{Fault: "lose", SkipSelfTest: true})
	defer b.Close()
	x, err := b.Alloc("x", tensor.F32, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	b.Add(x, x, x)
	out := make([]float32, 4)
	err = b.Read(x, out)
	if err == nil {
		err = b.Read(x, out) // the loss may be seen one read later
	}
	if !errors.Is(err, ErrDeviceLost) {
		t.Fatalf("Read after the device was destroyed: %v, want ErrDeviceLost", err)
	}
}

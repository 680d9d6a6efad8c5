//go:build cgo && !js && (linux || darwin || windows) && (amd64 || arm64)

package phi2web_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web"
)

// These run on the machine's WebGPU adapter through wgpu-native: Mesa's
// software Vulkan (lavapipe) in the tests' setup (make deps).

// TestWebGPU: asked for by name, WebGPU computes the greedy tokens of the
// pure-Go backend; under auto a software adapter gives way to the pure-Go
// backend, saying why; a WebGPU that cannot start is an error under
// Strict, else the pure-Go backend takes over.
func TestWebGPU(t *testing.T) {
	_, q8 := tiny(t)
	ctx := context.Background()
	want, err := open(t, q8, phi2web.Options{Backend: "cpu"}).Generate(ctx, []int32{5, 6, 7}, greedy, nil)
	if err != nil {
		t.Fatal(err)
	}
	gpu := open(t, q8, phi2web.Options{Backend: "webgpu"})
	got, err := gpu.Generate(ctx, []int32{5, 6, 7}, greedy, nil)
	if gpu.Backend() != "webgpu" || gpu.Adapter() == "" || err != nil || !slices.Equal(got.IDs, want.IDs) {
		t.Errorf("webgpu on %q: %v, %v; want the pure-Go tokens %v", gpu.Adapter(), got.IDs, err, want.IDs)
	}
	auto := open(t, q8, phi2web.Options{})
	if auto.Backend() != "cpu" || !strings.Contains(auto.Fallback(), "software adapter") {
		t.Errorf("auto on a software adapter: backend %q, fallback %q", auto.Backend(), auto.Fallback())
	}
	if _, err := phi2web.Open(ctx, q8, phi2web.Options{Backend: "webgpu", Strict: true, WebGPUFault: "limits"}); !errors.Is(err, phi2web.ErrBackend) {
		t.Errorf("strict, short of limits: %v, want ErrBackend", err)
	}
	lenient := open(t, q8, phi2web.Options{Backend: "webgpu", WebGPUFault: "selftest"})
	if lenient.Backend() != "cpu" || !strings.Contains(lenient.Fallback(), "self-test") {
		t.Errorf("failing its self-test: backend %q, fallback %q", lenient.Backend(), lenient.Fallback())
	}
}

// TestLostDevice: a device lost part way through a generation moves the
// model to the pure-Go backend, which goes on from the tokens made.
func TestLostDevice(t *testing.T) {
	_, q8 := tiny(t)
	ctx := context.Background()
	want, err := open(t, q8, phi2web.Options{Backend: "cpu"}).Generate(ctx, []int32{5, 6, 7}, greedy, nil)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	m := open(t, q8, phi2web.Options{Backend: "webgpu", WebGPUFault: "lose:3", OnFallback: func(r string) { reasons = append(reasons, r) }})
	got, err := m.Generate(ctx, []int32{5, 6, 7}, greedy, nil)
	if err != nil || !slices.Equal(got.IDs, want.IDs) || m.Backend() != "cpu" {
		t.Errorf("lost at the third submission: %v on %s, %v; want %v", got.IDs, m.Backend(), err, want.IDs)
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "device lost") || !strings.Contains(m.Fallback(), "device lost") {
		t.Errorf("fallback reasons %q, model's %q", reasons, m.Fallback())
	}
}

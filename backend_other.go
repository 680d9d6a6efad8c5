//go:build !wasm

package phi2web

import (
	"errors"
	"fmt"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/webgpu"
)

// Backends are the backends of this build: the pure-Go reference, and
// WebGPU through wgpu-native where the build has that driver (cgo on
// linux, darwin or windows; webgpu.New says so where not).
var Backends = []string{"cpu", "webgpu"}

// fallbackBackend takes over from a GPU that cannot be used.
const fallbackBackend = "cpu"

// codec: the Go decoders.
var codec *modeldir.Codec

// newBackend makes the backend name asks for. Auto is WebGPU on a hardware
// adapter, else the pure-Go backend with the reason: a software adapter
// (lavapipe, SwiftShader) is slower than the CPU it runs on. WebGPU asked
// for by name takes any adapter, and one that cannot be had is an error
// under Strict, else the pure-Go backend takes over with the reason.
func newBackend(name string, o Options) (chosen, error) {
	if name == "cpu" {
		return cpuBackend(o), nil
	}
	b, err := webgpu.New(webgpu.Options{PowerPreference: "high-performance", Fault: o.WebGPUFault, Profile: o.Profile, HardwareOnly: name == "auto"})
	if err == nil {
		return chosen{Backend: b, adapter: b.Adapter().String()}, nil
	}
	if o.Strict && name == "webgpu" {
		return chosen{}, fmt.Errorf("%w: %v", ErrBackend, err)
	}
	o.fallback = err.Error()
	return cpuBackend(o), nil
}

// lostDevice reports whether err is the loss of a WebGPU device.
func lostDevice(err error) bool { return errors.Is(err, webgpu.ErrDeviceLost) }

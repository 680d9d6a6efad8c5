//go:build js && wasm

package phi2web

import (
	"errors"
	"fmt"

	"github.com/phi2web/phi2web/browser/webcodec"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/webgpu"
)

// Backends are the backends of this build, a browser page's: webgpu
// needs navigator.gpu, simd the kernel module the page provides
// (wasm/kernels/kernels.js).
var Backends = []string{"webgpu", "simd", "cpu"}

// fallbackBackend takes over from WebGPU.
const fallbackBackend = "simd"

// codec: the browser's SHA-256, and its brotli decoder where it has one
// (webcodec); nil outside a secure context.
var codec *modeldir.Codec = webcodec.Codec()

// newBackend makes the backend name asks for. Auto is WebGPU on a hardware
// adapter, else SIMD with the reason: a software adapter (SwiftShader) is
// many times slower than the SIMD kernels on the same CPU. WebGPU asked for
// by name takes any adapter; one that cannot be had is an error under
// Strict, else SIMD takes over with the reason.
func newBackend(name string, o Options) (chosen, error) {
	switch name {
	case "auto", "webgpu":
		b, err := webgpu.New(webgpu.Options{PowerPreference: "high-performance", Fault: o.WebGPUFault, Profile: o.Profile, HardwareOnly: name == "auto"})
		if err == nil {
			return chosen{Backend: b, adapter: b.Adapter().String()}, nil
		}
		if o.Strict && name == "webgpu" {
			return chosen{}, fmt.Errorf("%w: %v", ErrBackend, err)
		}
		return newBackend("simd", Options{fallback: err.Error()})
	case "simd":
		return simdBackend(o.fallback)
	}
	return cpuBackend(o), nil
}

// lostDevice reports whether err is the loss of a WebGPU device.
func lostDevice(err error) bool { return errors.Is(err, webgpu.ErrDeviceLost) }

package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/wasm/simd"
	"github.com/phi2web/phi2web/webgpu"
)

// engines lists the backends of this build's one engine, a browser page
// (the chromium engine of the native build runs this build there): webgpu
// needs navigator.gpu, simd the kernel module the page provides.
var engines = map[string][]string{
	"native": {"webgpu", "simd", "cpu"},
}

// newBackend makes a backend in this process. A WebGPU device that is
// missing, lacks the limits, or fails its self-test is replaced by the SIMD
// backend, with the reason on stderr and in the results.
func newBackend(_, name string, threads int) (backend.Backend, error) {
	switch name {
	case "webgpu":
		b, err := webgpu.New(webgpu.Options{PowerPreference: "high-performance", Fault: os.Getenv("PHI2_WEBGPU_FAULT")})
		if err == nil {
			fmt.Fprintf(os.Stderr, "phi2: computing on WebGPU: %s\n", b.Adapter())
			return b, nil
		}
		fallback = err.Error()
		fmt.Fprintf(os.Stderr, "phi2: computing on wasm SIMD instead of WebGPU: %v\n", err)
		return simd.New(), nil
	case "simd":
		return simd.New(), nil
	}
	if threads > 0 {
		return cpu.New(cpu.WithWorkers(threads)), nil
	}
	return cpu.New(), nil
}

// fallbackFor names the backend that takes over after err: SIMD when the
// WebGPU device is lost.
func fallbackFor(err error) (string, bool) {
	if errors.Is(err, webgpu.ErrDeviceLost) {
		return "simd", true
	}
	return "", false
}

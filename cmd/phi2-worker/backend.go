//go:build js && wasm

package main

import (
	"fmt"

	"github.com/phi2web/phi2web/cmd/phi2-worker/page"
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/wasm/simd"
	"github.com/phi2web/phi2web/webgpu"
)

// webgpuFault is webgpu.Options.Fault, set at build time by tests of the
// fallback: go build -ldflags "-X main.webgpuFault=lose:40".
var webgpuFault string

// chosen is a backend made for a load.
type chosen struct {
	be       backend.Backend
	name     string // "webgpu" or "wasm"
	adapter  string
	fallback string // why WebGPU, asked for with "auto", is not used
}

// newBackend makes the backend a load asks for: "webgpu" or an error of
// code webgpu-unavailable; "wasm"; "auto", WebGPU when it opens and passes
// its self-test, else wasm SIMD with the reason.
func newBackend(want string) (chosen, error) {
	if want == "wasm" {
		return simdBackend(""), nil
	}
	b, err := webgpu.New(webgpu.Options{PowerPreference: "high-performance", Fault: webgpuFault})
	if err == nil {
		return chosen{be: b, name: "webgpu", adapter: b.Adapter().String()}, nil
	}
	if want == "webgpu" {
		return chosen{}, page.Errorf(page.CodeWebGPU, "%v", err)
	}
	return simdBackend(err.Error()), nil
}

// simdBackend is the wasm SIMD backend, taking over for reason.
func simdBackend(reason string) chosen {
	b := simd.New()
	return chosen{be: b, name: "wasm", adapter: fmt.Sprintf("wasm SIMD, %d thread(s)", b.Workers()), fallback: reason}
}

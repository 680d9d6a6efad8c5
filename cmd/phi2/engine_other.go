//go:build !wasm

package main

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
)

// engines lists, per engine, the backends it offers, the default first.
// native computes in this process; wazero runs the command in the wasip1
// build of phi2 (phi2.wasm) under wasm/host; chromium runs its js build
// (phi2-js.wasm) in headless Chromium.
var engines = map[string][]string{
	"native":   {"cpu"},
	"wazero":   {"simd", "cpu"},
	"chromium": {"webgpu", "simd"},
}

// newBackend makes a backend of the native engine.
func newBackend(engine, name string, threads int) (backend.Backend, error) {
	if engine != "native" {
		return nil, usageErr("engine %q runs only logits and generate", engine)
	}
	if threads > 0 {
		return cpu.New(cpu.WithWorkers(threads)), nil
	}
	return cpu.New(), nil
}

// reportedEngine is the engine named in results.
func reportedEngine(name string) string { return name }

// fallbackFor: no backend of this build loses its device.
func fallbackFor(error) (string, bool) { return "", false }

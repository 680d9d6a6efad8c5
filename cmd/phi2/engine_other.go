//go:build !wasm

package main

import "github.com/phi2web/phi2web"

// engines lists, per engine, the backends it offers, the default first.
// native computes in this process: auto is WebGPU on a hardware adapter
// (through wgpu-native), else the pure-Go backend; wazero runs the command
// in the wasip1 build of phi2 (phi2.wasm) under wasm/host; chromium runs
// its js build (phi2-js.wasm) in headless Chromium, where auto is WebGPU on
// a hardware adapter, else SIMD.
var engines = map[string][]string{
	"native":   append([]string{"auto"}, phi2web.Backends...),
	"wazero":   {"simd", "cpu"},
	"chromium": {"auto", "webgpu", "simd"},
}

// reportedEngine is the engine named in results.
func reportedEngine(name string) string { return name }

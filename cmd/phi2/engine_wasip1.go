package main

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/wasm/guest"
	"github.com/phi2web/phi2web/wasm/simd"
)

// engines lists the backends of this build's one engine, which computes in
// this process: simd needs the host functions of wasm/host.
var engines = map[string][]string{
	"native": {"simd", "cpu"},
}

// Converted models decompress and hash their shards in the host (wasm/host
// runs brotli and sha256 natively), whichever backend computes.
func init() {
	loadOptions.Codec = &modeldir.Codec{Decompress: guest.Decompress, Sum256: guest.Sum256}
}

// newBackend makes a backend in this process.
func newBackend(_, name string, threads int) (backend.Backend, error) {
	if name == "simd" {
		return simd.New(), nil
	}
	if threads > 0 {
		return cpu.New(cpu.WithWorkers(threads)), nil
	}
	return cpu.New(), nil
}

// fallbackFor: no backend of this build loses its device.
func fallbackFor(error) (string, bool) { return "", false }

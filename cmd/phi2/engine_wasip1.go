package main

import (
	"flag"
	"io"
	"os"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/simd"
	"github.com/phi2web/phi2web/wasm/guest"
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

// reportedEngine is the engine named in results: the host that runs this
// build names itself in PHI2_ENGINE.
func reportedEngine(name string) string {
	if host := os.Getenv("PHI2_ENGINE"); host != "" {
		return host
	}
	return name
}

// delegate runs nothing elsewhere: every engine of this build is here.
func (e *engineFlags) delegate(*flag.FlagSet, string, []string, io.Writer) (bool, error) {
	return false, nil
}

// fallbackFor: no backend of this build loses its device.
func fallbackFor(error) (string, bool) { return "", false }

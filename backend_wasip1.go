package phi2web

import (
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/wasm/guest"
)

// Backends are the backends of this build, run by wasm/host: simd needs
// its kernel host functions.
var Backends = []string{"simd", "cpu"}

// fallbackBackend: no backend of this build needs one.
const fallbackBackend = "simd"

// codec: converted models decompress and hash their shards in the host
// (wasm/host runs brotli and sha256 natively), whichever backend computes.
var codec = &modeldir.Codec{Decompress: guest.Decompress, Sum256: guest.Sum256}

// newBackend makes the backend name asks for; auto is simd.
func newBackend(name string, o Options) (chosen, error) {
	if name == "auto" || name == "simd" {
		return simdBackend(o.fallback)
	}
	return cpuBackend(o), nil
}

// lostDevice: no backend of this build loses its device.
func lostDevice(error) bool { return false }

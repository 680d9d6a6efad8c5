//go:build !wasm

package phi2web

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/modeldir"
)

// Backends are the backends of this build: the pure-Go reference.
var Backends = []string{"cpu"}

// codec: the Go decoders.
var codec *modeldir.Codec

// newBackend makes the backend name asks for (Open checks it is one of
// Backends); auto is cpu.
func newBackend(name string, o Options) (chosen, error) {
	if name == "simd" { // for a fallback, which no backend here needs
		return chosen{}, fmt.Errorf("%w: simd is not in this build", ErrBackend)
	}
	return cpuBackend(o), nil
}

// lostDevice: no backend of this build loses its device.
func lostDevice(error) bool { return false }

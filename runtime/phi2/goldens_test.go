package phi2_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/phi2/phi2test"
)

// TestGoldens runs every case of the independent numpy reference
// (testdata/goldens, see its README) through the Go model on the CPU
// backend; argmax is compared where the top-2 gap exceeds 2·tolerance.
func TestGoldens(t *testing.T) {
	phi2test.Goldens(t, "../../testdata/goldens/goldens.json",
		func(t *testing.T) backend.Backend { return cpu.New() }, tolerance)
}

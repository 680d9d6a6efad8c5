package phi2

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// cacheBytes sizes one layer's keys of each cache type for Phi-2's shape,
// which the out-of-memory message reports.
func TestCacheBytes(t *testing.T) {
	for _, c := range []struct {
		dt   tensor.DType
		want int64
	}{
		{tensor.F32, 2048 * 2560 * 4},
		{tensor.F16, 2048 * 2560 * 2},
		{tensor.KVQ8, 2048*2560 + 2048*32*4},
	} {
		if got := cacheBytes(c.dt, 2048, 32, 80); got != c.want {
			t.Errorf("cacheBytes(%s) = %d, want %d", c.dt, got, c.want)
		}
	}
}

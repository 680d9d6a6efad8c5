package chromium

import (
	"sync/atomic"
	"testing"
	"time"
)

// watch sums the costly measure once per pssStep of resident growth, not
// at every new high, and its peak is at most pssStep short of the most
// the costly measure gave.
func TestWatchSumsInSteps(t *testing.T) {
	const grow, steps = 1 << 20, 200 // a MiB a tick, as a KV cache filling
	var ticks, sums atomic.Int64
	resident := func() int64 {
		n := min(ticks.Add(1), steps)
		return 100<<20 + n*grow
	}
	memory := func() int64 {
		sums.Add(1)
		return 100<<20 + min(ticks.Load(), steps)*grow - grow // below resident, as PSS is
	}
	var peak atomic.Int64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() { watch(done, &peak, time.Microsecond, resident, memory); close(finished) }()
	for ticks.Load() < steps+20 {
		time.Sleep(time.Millisecond)
	}
	close(done)
	<-finished
	most := int64(100<<20 + steps*grow - grow)
	if n := sums.Load(); n > steps*grow/pssStep+1 {
		t.Errorf("%d sums over %d MiB of growth; want at most one per %d MiB", n, steps, pssStep>>20)
	}
	if p := peak.Load(); p > most || p < most-pssStep {
		t.Errorf("peak %d MiB; want within %d MiB below %d", p>>20, pssStep>>20, most>>20)
	}
}

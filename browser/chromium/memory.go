package chromium

import (
	"sync/atomic"
	"time"
)

// memoryEvery is how often a run samples Chromium's memory.
const memoryEvery = 200 * time.Millisecond

// watchMemory samples the memory of process group pgid until done is
// closed and keeps the most it saw in peak.
func watchMemory(pgid int, done <-chan struct{}, peak *atomic.Int64) {
	tick := time.NewTicker(memoryEvery)
	defer tick.Stop()
	for {
		if m := groupMemory(pgid); m > peak.Load() {
			peak.Store(m)
		}
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

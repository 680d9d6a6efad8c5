package chromium

import (
	"sync/atomic"
	"time"
)

// memoryEvery is how often a run samples Chromium's memory.
const memoryEvery = 200 * time.Millisecond

// watchMemory samples the memory of process group pgid until done is
// closed and keeps the most it saw in peak. Summing the processes'
// proportional set sizes makes the kernel walk every page of each (~75 ms
// for a renderer holding 3 GB): done every tick, that took a third of a
// core from the run it measures. So each tick reads only their resident
// sizes, which cost next to nothing, and the proportional sizes are summed
// when the resident total reaches a new high, the only moments the peak
// can move (bar pages that stay resident while the processes sharing
// them end).
func watchMemory(pgid int, done <-chan struct{}, peak *atomic.Int64) {
	tick := time.NewTicker(memoryEvery)
	defer tick.Stop()
	var highest int64
	for {
		if r := groupResident(pgid); r > highest {
			highest = r
			if m := groupMemory(pgid); m > peak.Load() {
				peak.Store(m)
			}
		}
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

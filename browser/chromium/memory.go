package chromium

import (
	"sync/atomic"
	"time"
)

// memoryEvery is how often a run samples Chromium's memory.
const memoryEvery = 200 * time.Millisecond

// pssStep is how far the resident total must rise past where the
// proportional sizes were last summed for them to be summed again.
const pssStep = 16 << 20

// watchMemory samples the memory of process group pgid until done is
// closed and keeps the most it saw in peak. Summing the processes'
// proportional set sizes makes the kernel walk every page of each (~75 ms
// for a renderer holding 3 GB): done every tick, that took a third of a
// core from the run it measures. So each tick reads only their resident
// sizes, which cost next to nothing, and the proportional sizes are summed
// when the resident total has risen pssStep past where they were last
// summed, the only moments the peak can move (bar pages that stay resident
// while the processes sharing them end). A model's KV cache fills a few
// hundred KB a token: summing at every new high, as this did before, took
// that third of a core for the whole of a decode, which a run on every
// core loses. So the peak may be up to pssStep short.
func watchMemory(pgid int, done <-chan struct{}, peak *atomic.Int64) {
	watch(done, peak, memoryEvery,
		func() int64 { return groupResident(pgid) }, func() int64 { return groupMemory(pgid) })
}

// watch is watchMemory over given measures, every interval.
func watch(done <-chan struct{}, peak *atomic.Int64, interval time.Duration, resident, memory func() int64) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	summedAt := int64(-pssStep)
	for {
		if r := resident(); r >= summedAt+pssStep {
			summedAt = r
			if m := memory(); m > peak.Load() {
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

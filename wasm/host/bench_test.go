package host

import (
	"fmt"
	"testing"
)

// BenchmarkRun measures the cost of one run call of empty jobs: the
// per-op overhead the device adds, with the workers woken and waited for.
func BenchmarkRun(b *testing.B) {
	for _, c := range []struct{ workers, jobs int }{{1, 1}, {2, 1}, {2, 2}, {2, 8}} {
		b.Run(fmt.Sprintf("workers=%d/jobs=%d", c.workers, c.jobs), func(b *testing.B) {
			h := newTestHost(b, Options{Workers: c.workers})
			list := make([][]int32, c.jobs)
			for i := range list {
				list[i] = []int32{kNop}
			}
			buf := jobs(list...)
			for b.Loop() {
				if h.pool.run(buf, c.jobs) != 0 {
					b.Fatal("run failed")
				}
			}
		})
	}
}

// BenchmarkRunBusy runs jobs that each poll memory 20000 times (about 20
// µs): with two workers, two jobs should take as long as one, and the
// difference is the cost of waking the second thread.
func BenchmarkRunBusy(b *testing.B) {
	for _, c := range []struct{ workers, jobs int }{{1, 1}, {2, 2}} {
		b.Run(fmt.Sprintf("workers=%d/jobs=%d", c.workers, c.jobs), func(b *testing.B) {
			h := newTestHost(b, Options{Workers: c.workers})
			list := make([][]int32, c.jobs)
			for i := range list {
				list[i] = []int32{kMeet, 256, 260 + 4*int32(i), 0, 20000}
			}
			buf := jobs(list...)
			for b.Loop() {
				if h.pool.run(buf, c.jobs) != 0 {
					b.Fatal("run failed")
				}
			}
		})
	}
}

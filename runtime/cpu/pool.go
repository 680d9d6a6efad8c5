package cpu

import "sync"

// rangeJob is work that can be split into index ranges. worker identifies
// the caller's scratch space: 0 for the calling goroutine, 1.. for helpers.
type rangeJob interface {
	run(worker, lo, hi int)
}

type task struct {
	job            rangeJob
	worker, lo, hi int
}

// pool is a fixed set of helper goroutines. Jobs are passed as pointers to
// structs owned by the Backend, so dispatching allocates nothing.
type pool struct {
	n     int         // workers, including the calling goroutine
	queue []chan task // one per helper
	wg    sync.WaitGroup
}

func (p *pool) start() {
	p.queue = make([]chan task, p.n-1)
	for i := range p.queue {
		ch := make(chan task, 1)
		p.queue[i] = ch
		go func() {
			for t := range ch {
				t.job.run(t.worker, t.lo, t.hi)
				p.wg.Done()
			}
		}()
	}
}

func (p *pool) stop() {
	for _, ch := range p.queue {
		close(ch)
	}
	p.queue = nil
	p.n = 1
}

// parallel runs job over [0, total) in contiguous, nearly equal ranges, at
// most one per worker and none smaller than grain, and waits for them all.
func (p *pool) parallel(job rangeJob, total, grain int) {
	parts := min(p.n, max(total/max(grain, 1), 1))
	if parts <= 1 {
		if total > 0 {
			job.run(0, 0, total)
		}
		return
	}
	p.wg.Add(parts - 1)
	for w := 1; w < parts; w++ {
		p.queue[w-1] <- task{job, w, total * w / parts, total * (w + 1) / parts}
	}
	job.run(0, 0, total/parts)
	p.wg.Wait()
}

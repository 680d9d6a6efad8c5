package host

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// jobBytes is the size of one job: 16 i32 words, the kernel id then up to
// 15 arguments.
const jobBytes = 64

// pool runs the jobs of one run call: instances[0] on the calling
// goroutine, the others on persistent worker goroutines. Participants claim
// jobs by index until none are left.
//
// Waking a parked goroutine costs tens of µs (it first waits for the
// waker's processor), as much as a small op takes. So a worker that has
// served a run spins for the next one, yielding its processor now and then,
// and parks only after spinFor without work.
type pool struct {
	instances []*instance
	stderr    io.Writer
	names     []string

	// The run in progress. jobs and count are set before turn publishes
	// the run: turn holds the run's generation (high 32 bits) and the next
	// job to claim (low 32 bits).
	jobs   []byte
	count  atomic.Int64 // atomic: a late worker may read it as the next run sets it
	turn   atomic.Uint64
	done   atomic.Int64 // jobs of the run finished
	failed atomic.Int64 // lowest failing job index + 1, or 0
	report sync.Once    // the first failure is described on stderr

	mu       sync.Mutex
	wake     *sync.Cond // parked workers wait on it
	sleepers atomic.Int32
	stopped  atomic.Bool
	exited   sync.WaitGroup
}

// spinFor is how long an idle worker looks for work before parking.
const spinFor = 2 * time.Millisecond

func newPool(instances []*instance, stderr io.Writer, names []string) *pool {
	p := &pool{instances: instances, stderr: stderr, names: names}
	p.wake = sync.NewCond(&p.mu)
	for _, in := range instances[1:] {
		p.exited.Add(1)
		go p.work(in)
	}
	return p
}

// stop ends the worker goroutines and waits for them.
func (p *pool) stop() {
	p.stopped.Store(true)
	p.mu.Lock()
	p.wake.Broadcast()
	p.mu.Unlock()
	p.exited.Wait()
}

// run executes count jobs stored in jobs and returns 0, or 1 + the index of
// the lowest job that failed.
func (p *pool) run(jobs []byte, count int) int32 {
	if count <= 0 {
		return 0
	}
	p.jobs = jobs
	p.count.Store(int64(count))
	p.done.Store(0)
	p.failed.Store(0)
	p.report = sync.Once{}
	gen := p.turn.Load()>>32 + 1
	p.turn.Store(gen << 32)
	if count > 1 && p.sleepers.Load() > 0 {
		p.mu.Lock()
		p.wake.Broadcast()
		p.mu.Unlock()
	}
	p.drain(p.instances[0], gen)
	for spins := 1; p.done.Load() < int64(count); spins++ {
		if spins%64 == 0 {
			runtime.Gosched()
		}
	}
	p.jobs = nil
	return int32(p.failed.Load())
}

// work serves runs on in until the pool stops.
func (p *pool) work(in *instance) {
	defer p.exited.Done()
	var served uint64
	for {
		gen, ok := p.await(served)
		if !ok {
			return
		}
		served = gen
		p.drain(in, gen)
	}
}

// await returns the generation of a run newer than served, spinning and
// then parking until there is one; false once the pool stops.
func (p *pool) await(served uint64) (uint64, bool) {
	start := time.Now()
	for spins := 1; ; spins++ {
		if gen := p.turn.Load() >> 32; gen != served {
			return gen, true
		}
		if p.stopped.Load() {
			return 0, false
		}
		if spins%64 != 0 {
			continue
		}
		runtime.Gosched()
		if time.Since(start) < spinFor {
			continue
		}
		p.mu.Lock()
		p.sleepers.Add(1)
		for p.turn.Load()>>32 == served && !p.stopped.Load() {
			p.wake.Wait()
		}
		p.sleepers.Add(-1)
		p.mu.Unlock()
		start = time.Now()
	}
}

// drain runs jobs of run gen on in until none are left. After a failure
// the remaining jobs are claimed but not run.
func (p *pool) drain(in *instance, gen uint64) {
	for {
		i, ok := p.claim(gen)
		if !ok {
			return
		}
		if p.failed.Load() == 0 {
			if err := p.exec(in, i); err != nil {
				p.fail(i, err)
			}
		}
		p.done.Add(1)
	}
}

// claim takes the next job of run gen.
func (p *pool) claim(gen uint64) (int64, bool) {
	for {
		v := p.turn.Load()
		i := int64(v & 0xffffffff)
		if v>>32 != gen || i >= p.count.Load() {
			return 0, false
		}
		if p.turn.CompareAndSwap(v, v+1) {
			return i, true
		}
	}
}

// fail records job i as failed, keeping the lowest index.
func (p *pool) fail(i int64, err error) {
	for {
		old := p.failed.Load()
		if old != 0 && old <= i+1 || p.failed.CompareAndSwap(old, i+1) {
			break
		}
	}
	p.report.Do(func() {
		if p.stderr != nil {
			fmt.Fprintf(p.stderr, "phi2 host: job %d: %s\n", i, oneLine(err.Error()))
		}
	})
}

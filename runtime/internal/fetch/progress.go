package fetch

import (
	"time"

	"github.com/phi2web/phi2web/runtime/modeldir"
)

// rateWindow is how far back the download rate looks.
const rateWindow = 5 * time.Second

// progress turns the events of a fetch into Progress reports.
type progress struct {
	fn     func(Progress)
	now    func() time.Time
	total  int64
	shards int
	base   int64 // bytes of the shards done
	cur    int64 // bytes stored of the shard in progress
	done   int64 // as last reported
	// samples are (time, bytes received) pairs; the first is at or before
	// the start of the window.
	samples []sample
	rx      int64 // bytes received
}

type sample struct {
	t time.Time
	n int64
}

func newProgress(fn func(Progress), now func() time.Time) *progress {
	return &progress{fn: fn, now: now}
}

func (p *progress) setTotal(shards []modeldir.ShardInfo) {
	p.total, p.shards, p.base, p.cur = 0, len(shards), 0, 0
	for _, s := range shards {
		p.total += s.CompressedSize
	}
}

// startShard reports shard i with stored bytes already there.
func (p *progress) startShard(i int, stored int64) {
	p.cur = stored
	p.event(PhaseDownload, i, false)
}

// mark records the start of a request, so that the time spent waiting for
// the first bytes counts in the rate.
func (p *progress) mark() { p.sample() }

func (p *progress) received(i int, n int64) {
	p.cur += n
	p.rx += n
	p.sample()
	p.event(PhaseDownload, i, false)
}

// restart forgets the stored bytes of the shard in progress.
func (p *progress) restart() { p.cur = 0 }

// finish counts the shard in progress as done at size bytes.
func (p *progress) finish(size int64) { p.base, p.cur = p.base+size, 0 }

// cached reports shard i as found stored.
func (p *progress) cached(i int, size int64) {
	p.base += size
	p.event(PhaseDownload, i, true)
}

// verified reports shard i, stored compressed before, as decoded and
// checked: its bytes count in the rate, so that the verify phase has one
// and a time left.
func (p *progress) verified(i int, size int64) {
	p.base += size
	p.rx += size
	p.sample()
	p.event(PhaseVerify, i, false)
}

func (p *progress) ready() { p.event(PhaseReady, 0, false) }

func (p *progress) sample() {
	if p.fn == nil {
		return
	}
	t := p.now()
	p.samples = append(p.samples, sample{t, p.rx})
	for len(p.samples) > 2 && !p.samples[1].t.After(t.Add(-rateWindow)) {
		p.samples = p.samples[1:]
	}
}

// rate is the bytes per second received over the window (0 when unknown).
func (p *progress) rate() float64 {
	if len(p.samples) < 2 {
		return 0
	}
	first, last := p.samples[0], p.samples[len(p.samples)-1]
	dt := last.t.Sub(first.t).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(last.n-first.n) / dt
}

func (p *progress) event(phase string, shard int, fromCache bool) {
	if p.fn == nil {
		return
	}
	p.done = min(max(p.done, p.base+p.cur), p.total)
	if phase == PhaseReady {
		p.done = p.total
	}
	ev := Progress{Phase: phase, Done: p.done, Total: p.total, Shard: shard, Shards: p.shards,
		BytesPerSecond: p.rate(), FromCache: fromCache}
	if ev.BytesPerSecond > 0 {
		ev.Remaining = time.Duration(float64(p.total-p.done) / ev.BytesPerSecond * float64(time.Second))
	}
	p.fn(ev)
}

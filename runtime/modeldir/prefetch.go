package modeldir

import "fmt"

// shardResult is one shard read ahead: its checked raw bytes, or its bytes
// staged (a StagingFile's, checked once taken), or why not; buf is the
// job's buffer, handed back to the readers with the shard.
type shardResult struct {
	raw    []byte
	staged Staged
	buf    []byte
	err    error
}

// job asks a reader for shard i, into buf; a nil buf is made by the reader
// when the shard cannot be staged.
type job struct {
	i   int
	buf []byte
}

// prefetcher reads and checks decoded shards (Options.Raw) ahead of their
// use, in goroutines of their own: while the caller hands out the tensors
// of one shard, the next Options.Readers shards are read and hashed, each
// by one reader (a browser store reads and hashes off the Go thread, so
// these overlap). Readers+1 jobs take turns, each with a buffer made when
// first needed; a shard's job goes back to the readers when the caller
// asks for the next one. Shards of StagingFiles are staged instead, and
// copied into one buffer of the caller's as they are used, so their jobs
// never need one; at most Readers shards are staged and not yet taken, so
// the oldest always finds room. The source is used by the readers alone,
// at once only when Readers > 1.
type prefetcher struct {
	m       *Model
	jobs    chan job
	results []chan shardResult
	pushed  chan struct{} // a result was sent
	stop    chan struct{}
	done    chan struct{}
	readers int
	maxRaw  int64
	issued  int    // shards handed to the readers
	next    int    // the shard the caller gets next
	held    bool   // the caller holds the job of shard next-1
	cur     []byte // that job's buffer
	own     []byte // the caller's buffer for staged shards
}

func (m *Model) newPrefetcher() *prefetcher {
	var maxRaw int64
	for _, s := range m.shards {
		maxRaw = max(maxRaw, s.RawSize)
	}
	n := min(max(m.readers, 1), len(m.shards))
	p := &prefetcher{m: m, jobs: make(chan job, len(m.shards)), results: make([]chan shardResult, len(m.shards)),
		pushed: make(chan struct{}, len(m.shards)), stop: make(chan struct{}), done: make(chan struct{}), readers: n, maxRaw: maxRaw}
	for i := range p.results {
		p.results[i] = make(chan shardResult, 1)
	}
	for range n { // one more once the caller holds a shard: n wait at most
		p.issue(nil)
	}
	live := make(chan struct{}, n)
	for range n {
		live <- struct{}{}
		go p.read(live)
	}
	go func() {
		for range n {
			live <- struct{}{}
		}
		close(p.done)
	}()
	return p
}

// issue hands the next shard, if any, to the readers with buf.
func (p *prefetcher) issue(buf []byte) {
	if p.issued < len(p.m.shards) {
		p.jobs <- job{p.issued, buf}
		p.issued++
	}
}

// read serves jobs until they or the prefetcher end, then frees its slot
// in live.
func (p *prefetcher) read(live chan struct{}) {
	defer func() { <-live }()
	r := &shardReader{m: p.m}
	for {
		var j job
		select {
		case j = <-p.jobs:
		case <-p.stop:
			return
		}
		select {
		case <-p.stop:
			return
		default:
		}
		buf := func() []byte {
			if j.buf == nil {
				j.buf = make([]byte, p.maxRaw)
			}
			return j.buf
		}
		raw, st, err := r.readAhead(p.m.shards[j.i], buf)
		p.results[j.i] <- shardResult{raw: raw, staged: st, buf: j.buf, err: err}
		p.pushed <- struct{}{}
	}
}

// nextShard returns the next shard's raw bytes, valid until the next call;
// the job of the one before goes back to the readers.
func (p *prefetcher) nextShard() ([]byte, error) {
	if p.held {
		p.issue(p.cur)
		p.held, p.cur = false, nil
	}
	s := p.m.shards[p.next]
	res := <-p.results[p.next]
	p.next++
	p.held, p.cur = true, res.buf
	if res.err != nil || res.staged == nil {
		return res.raw, res.err
	}
	if p.own == nil {
		p.own = make([]byte, p.maxRaw)
	}
	raw := p.own[:s.RawSize]
	if err := res.staged.Take(raw); err != nil {
		return nil, fmt.Errorf("%s: read: %v", s.File, err)
	}
	if err := checkRawSum(s, res.staged.Sum()); err != nil {
		return nil, err
	}
	return raw, nil
}

// close stops the readers, waits until none uses the source, and frees
// the room of the shards staged and not used. It frees them as they
// come: a reader may be waiting for that room.
func (p *prefetcher) close() {
	close(p.stop)
	for {
		p.dropStaged()
		select {
		case <-p.pushed:
		case <-p.done:
			p.dropStaged()
			return
		}
	}
}

// dropStaged frees the staged shards sent and not used.
func (p *prefetcher) dropStaged() {
	for _, c := range p.results[p.next:] {
		select {
		case res := <-c:
			if res.staged != nil {
				res.staged.Drop()
			}
		default:
		}
	}
}

package modeldir

// shardResult is one shard read ahead: its checked raw bytes, or why not.
type shardResult struct {
	raw []byte
	err error
}

// job asks a reader for shard i, into buf.
type job struct {
	i   int
	buf []byte
}

// prefetcher reads and checks decoded shards (Options.Raw) ahead of their
// use, in goroutines of their own: while the caller hands out the tensors
// of one shard, the next Options.Readers shards are read and hashed, each
// by one reader (a browser store reads and hashes off the Go thread, so
// these overlap). Readers+1 buffers take turns; a shard's buffer goes back
// to the readers when the caller asks for the next one. The source is used
// by the readers alone, at once only when Readers > 1.
type prefetcher struct {
	m       *Model
	jobs    chan job
	results []chan shardResult
	stop    chan struct{}
	done    chan struct{}
	readers int
	issued  int    // shards handed to the readers
	next    int    // the shard the caller gets next
	cur     []byte // the buffer the caller holds
}

func (m *Model) newPrefetcher() *prefetcher {
	var maxRaw int64
	for _, s := range m.shards {
		maxRaw = max(maxRaw, s.RawSize)
	}
	n := min(max(m.readers, 1), len(m.shards))
	p := &prefetcher{m: m, jobs: make(chan job, len(m.shards)), results: make([]chan shardResult, len(m.shards)),
		stop: make(chan struct{}), done: make(chan struct{}), readers: n}
	for i := range p.results {
		p.results[i] = make(chan shardResult, 1)
	}
	for range n + 1 {
		p.issue(make([]byte, maxRaw))
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
		r.raw = j.buf
		raw, err := r.read(p.m.shards[j.i])
		if raw == nil {
			raw = j.buf[:0]
		}
		p.results[j.i] <- shardResult{raw, err}
	}
}

// nextShard returns the next shard's raw bytes, valid until the next call;
// the buffer of the one before goes back to the readers.
func (p *prefetcher) nextShard() ([]byte, error) {
	if p.cur != nil {
		p.issue(p.cur[:cap(p.cur)])
		p.cur = nil
	}
	res := <-p.results[p.next]
	p.next++
	p.cur = res.raw
	return res.raw, res.err
}

// close stops the readers and waits until none uses the source.
func (p *prefetcher) close() {
	close(p.stop)
	<-p.done
}

package modeldir

// shardResult is one shard read ahead: its checked raw bytes, or why not.
type shardResult struct {
	raw []byte
	err error
}

// prefetcher reads and checks decoded shards (Options.Raw) one ahead of
// their use, in a goroutine of its own, into two buffers that take turns:
// while the caller hands out the tensors of one shard, the next is read
// and hashed (a browser store reads and hashes off the Go thread, so the
// two overlap). The source is used by that goroutine alone.
type prefetcher struct {
	out  chan shardResult
	free chan []byte
	stop chan struct{}
	done chan struct{}
	cur  []byte // the buffer the caller holds
}

func (m *Model) newPrefetcher() *prefetcher {
	r := m.newShardReader()
	p := &prefetcher{out: make(chan shardResult, 1), free: make(chan []byte, 2),
		stop: make(chan struct{}), done: make(chan struct{})}
	p.free <- r.raw
	p.free <- make([]byte, len(r.raw))
	go func() {
		defer close(p.done)
		for _, s := range m.shards {
			select {
			case r.raw = <-p.free:
			case <-p.stop:
				return
			}
			raw, err := r.read(s)
			select {
			case p.out <- shardResult{raw, err}:
			case <-p.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

// next returns the next shard's raw bytes, valid until the next call; the
// buffer of the one before goes back to the reader.
func (p *prefetcher) next() ([]byte, error) {
	if p.cur != nil {
		p.free <- p.cur[:cap(p.cur)]
		p.cur = nil
	}
	res := <-p.out
	p.cur = res.raw
	return res.raw, res.err
}

// close stops the reader and waits until it no longer uses the source.
func (p *prefetcher) close() {
	close(p.stop)
	<-p.done
}

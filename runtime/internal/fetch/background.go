package fetch

import (
	"errors"

	"github.com/phi2web/phi2web/runtime/store"
)

// An answer that came decoded (Content-Encoding, decoded by a browser) is
// whole in memory when its body ends. Checking its sha256 and storing it
// take about as long as receiving the next shard, and they mostly wait on
// the browser (the digest, IndexedDB's commit). So where the store takes
// calls from several goroutines (store.Hasher: IndexedDB), they run in a
// goroutine of their own while the next shard arrives: one shard at a
// time, in a buffer that passes to that goroutine and comes back as the
// spare. A shard whose bytes do not match is downloaded again afterwards,
// once, with the query no cache has seen (download's second attempt).

// errMismatch is a finisher's finding that the bytes do not match the
// shard's raw sha256; nothing was stored.
var errMismatch = errors.New("the decoded answer does not match its raw sha256")

// finisher is the check and store of one shard in the background.
type finisher struct {
	i    int
	buf  []byte
	done chan error
}

// overlaps reports whether decoded answers are finished in the
// background.
func (f *fetcher) overlaps() bool {
	_, ok := store.AsHasher(f.o.Store)
	return ok && !f.inOrder
}

// finishLater checks and stores the decoded shard of d, whole in raw (one
// of the fetcher's buffers, which the finisher takes), in the background,
// once the shard finished before it is.
func (f *fetcher) finishLater(d *shardDownload, raw []byte) error {
	if err := f.settle(); err != nil {
		return err
	}
	switch {
	case sameArray(raw, f.raw):
		f.raw = nil
	case sameArray(raw, f.comp):
		f.comp = nil
	}
	fin := &finisher{i: d.i, buf: raw, done: make(chan error, 1)}
	f.pending = fin
	go func() {
		if d.sum(raw) != d.s.RawSHA256 {
			fin.done <- errMismatch
			return
		}
		fin.done <- d.storeDecoded(raw)
	}()
	return nil
}

// settle waits for the shard in the background, if any; one that did not
// match is noted for fetchAll to download again.
func (f *fetcher) settle() error {
	fin := f.pending
	if fin == nil {
		return nil
	}
	f.pending = nil
	err := <-fin.done
	f.spare = fin.buf
	if err == errMismatch {
		f.mismatched = append(f.mismatched, fin.i)
		return nil
	}
	return err
}

// fetchAll makes the shards numbered in order stored decoded and
// verified (fetchShard), then downloads again, one after the other, those
// whose decoded answers did not match.
func (f *fetcher) fetchAll(order []int) error {
	for _, i := range order {
		if err := f.fetchShard(i); err != nil {
			f.settle() // no goroutine may use the store after the return
			return err
		}
	}
	if err := f.settle(); err != nil {
		return err
	}
	if f.refetch == nil {
		f.refetch = map[int]bool{}
	}
	redo := f.mismatched
	f.mismatched, f.inOrder = nil, true
	defer func() { f.inOrder = false }()
	for _, i := range redo {
		f.prog.base -= f.shards[i].CompressedSize // counted done when handed over
		f.refetch[i] = true
		if err := f.fetchShard(i); err != nil {
			return err
		}
	}
	return nil
}

// sameArray reports whether a and b begin at the same byte.
func sameArray(a, b []byte) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
}

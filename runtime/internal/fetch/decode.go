package fetch

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
)

// RawName is store.RawShard.
func RawName(name string) string { return store.RawShard(name) }

// decoded reports whether shard s's decoded bytes are stored whole and
// marked verified.
func (f *fetcher) decoded(s modeldir.ShardInfo) (bool, error) {
	st, err := f.state(RawName(s.File))
	return st.Verified && st.Size == s.RawSize, err
}

// decode turns the stored, verified compressed bytes of shard i into its
// decoded bytes: it decodes them, checks the result against the raw
// sha256, drops the compressed bytes, stores the decoded ones in one
// append and marks them verified. The compressed bytes go first so that
// the store never holds both (a shard cut off between the two is fetched
// again). A decodeError leaves the compressed bytes in place; the caller
// decides whether to fetch them again.
func (f *fetcher) decode(i int) error {
	s := f.shards[i]
	held := f.held == s.File && f.heldSize == s.CompressedSize
	f.held = ""
	comp, raw := f.decodeBuffers(s)
	if !held {
		if err := readFull(f.o.Store, f.key, s.File, 0, comp); err != nil {
			return err
		}
	}
	if err := modeldir.DecodeShard(s, comp, raw, f.o.Codec); err != nil {
		return &decodeError{err}
	}
	if err := storeRaw(f.o.Store, f.key, s.File, raw); err != nil {
		return fmt.Errorf("store the decoded bytes of %s: %w", s.File, err)
	}
	return nil
}

// storeRaw stores the checked decoded bytes of shard file, marked
// verified, in place of its compressed bytes and of any decoded ones left
// by an interrupted decode. A store.Replacer does it in one step (one
// IndexedDB transaction, where the steps take four).
func storeRaw(st store.Store, key, file string, raw []byte) error {
	name := RawName(file)
	if r, ok := st.(store.Replacer); ok {
		return r.ReplaceShard(key, name, raw, file)
	}
	for _, step := range []func() error{
		func() error { return st.DeleteShard(key, name) },
		func() error { return st.DeleteShard(key, file) },
		func() error { return st.AppendShard(key, name, 0, raw) },
		func() error { return st.SetVerified(key, name, true) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// decodeError is a compressed shard whose bytes do not decode to what the
// manifest lists.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// dropLeftover removes the compressed bytes of a decoded shard, left by a
// decode interrupted after it stored the decoded ones.
func (f *fetcher) dropLeftover(s modeldir.ShardInfo) error {
	if st, ok := f.listed(s.File); ok && st.Size == 0 {
		return nil
	}
	n, err := f.o.Store.ShardSize(f.key, s.File)
	if err != nil || n == 0 {
		return err
	}
	return f.o.Store.DeleteShard(f.key, s.File)
}

// decodeBuffers returns buffers of s's compressed and raw sizes, reused
// from shard to shard.
func (f *fetcher) decodeBuffers(s modeldir.ShardInfo) (comp, raw []byte) {
	mostComp, mostRaw := f.largest()
	if int64(cap(f.comp)) < s.CompressedSize {
		f.comp = f.buffer(mostComp)
	}
	if int64(cap(f.raw)) < s.RawSize {
		f.raw = f.buffer(mostRaw)
	}
	return f.comp[:s.CompressedSize], f.raw[:s.RawSize]
}

// answerBuffer returns a buffer for a whole encoded answer, of the larger
// of the shard's two sizes: one of the decode buffers, without making
// both (a page's memory keeps its peak).
func (f *fetcher) answerBuffer(s modeldir.ShardInfo) []byte {
	n := max(s.CompressedSize, s.RawSize)
	switch {
	case int64(cap(f.raw)) >= n:
		return f.raw[:n]
	case int64(cap(f.comp)) >= n:
		return f.comp[:n]
	}
	comp, raw := f.largest()
	f.raw = f.buffer(max(comp, raw))
	return f.raw[:n]
}

// largest is the largest shard's sizes: buffers are made for it, so that
// one fits every shard and they go round (sizes differ by a few bytes).
func (f *fetcher) largest() (comp, raw int64) {
	for _, s := range f.shards {
		comp, raw = max(comp, s.CompressedSize), max(raw, s.RawSize)
	}
	return comp, raw
}

// buffer returns a buffer of n bytes: the spare one when it is large
// enough.
func (f *fetcher) buffer(n int64) []byte {
	if int64(cap(f.spare)) >= n {
		b := f.spare[:n]
		f.spare = nil
		return b
	}
	return make([]byte, n)
}

// releaseBuffers drops the decode buffers once the shards are stored, so
// that the load which follows does not hold them.
func (f *fetcher) releaseBuffers() { f.comp, f.raw, f.spare, f.held = nil, nil, nil, "" }

// listShards reads what the store holds of every shard in one call, where
// it can (store.Lister), for the first check of each shard (listed).
func (f *fetcher) listShards() {
	f.states, f.asked = nil, nil
	if l, ok := store.AsLister(f.o.Store); ok {
		if states, err := l.Shards(f.key); err == nil {
			f.states, f.asked = states, map[string]bool{}
		}
	}
}

// holds returns what the store holds of shard name: from listShards'
// listing where there is one, without using up listed's answer, else
// from the store.
func (f *fetcher) holds(name string) (store.ShardState, error) {
	if f.states != nil && !f.asked[name] {
		return f.states[name], nil
	}
	return f.ask(name)
}

// state returns what the store holds of shard name: listed's answer the
// first time, else the store's.
func (f *fetcher) state(name string) (store.ShardState, error) {
	if st, ok := f.listed(name); ok {
		return st, nil
	}
	return f.ask(name)
}

// ask asks the store what it holds of shard name.
func (f *fetcher) ask(name string) (store.ShardState, error) {
	size, err := f.o.Store.ShardSize(f.key, name)
	if err != nil {
		return store.ShardState{}, err
	}
	ok, err := f.o.Store.Verified(f.key, name)
	return store.ShardState{Size: size, Verified: ok}, err
}

// listed returns what listShards found of shard name, the first time it
// is asked for name: later checks, made after the fetch may have changed
// the shard, ask the store.
func (f *fetcher) listed(name string) (store.ShardState, bool) {
	if f.states == nil || f.asked[name] {
		return store.ShardState{}, false
	}
	f.asked[name] = true
	return f.states[name], true
}

//go:build js && wasm

package idb

import (
	"crypto/sha256"
	"fmt"
	"math"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/browser/webcodec"
	"github.com/phi2web/phi2web/runtime/store"
)

var _ store.Hasher = (*Store)(nil)

// ReadShardSHA256 reads shard whole into p and hashes it with the
// browser's SHA-256 (crypto.subtle) before the bytes reach Go. One getAll
// reads every chunk. The read and the hash run in a store reader worker
// (readers) where one can run, else on this thread. Without crypto.subtle
// it hashes in Go.
func (s *Store) ReadShardSHA256(model, shard string, p []byte) ([32]byte, error) {
	sum, err := s.readers.read(s.name, model, shard, p)
	if err != errNoReaders {
		return sum, err
	}
	return s.readShardSHA256Here(model, shard, p)
}

var _ store.Stager = (*Store)(nil)

// StageShard reads shard whole in a store reader worker, hashed, and keeps
// it in the worker's slot until taken: a load reading three shards ahead
// then needs no buffer of its own for them. Where no worker can, it reads
// on this thread into a buffer of its own.
func (s *Store) StageShard(model, shard string, size int64) (store.StagedShard, error) {
	if size < 0 || size > math.MaxInt32 {
		return nil, fmt.Errorf("idb: shard %q of %s: %d bytes cannot be read whole", shard, model, size)
	}
	st, err := s.readers.stage(s.name, model, shard, int(size))
	if err != errNoReaders {
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	p := make([]byte, size)
	sum, err := s.readShardSHA256Here(model, shard, p)
	if err != nil {
		return nil, err
	}
	return &heldShard{p: p, sum: sum}, nil
}

// Stages is how many shards StageShard holds at once: one per worker.
func (s *Store) Stages() int { return readerCount }

// heldShard is a shard staged in Go memory, where no worker could read it.
type heldShard struct {
	p   []byte
	sum [32]byte
}

func (h *heldShard) Take(p []byte) error {
	defer h.Drop()
	if len(p) != len(h.p) {
		return fmt.Errorf("idb: a %d-byte buffer for %d bytes", len(p), len(h.p))
	}
	copy(p, h.p)
	return nil
}

func (h *heldShard) Sum() [32]byte { return h.sum }
func (h *heldShard) Drop()         { h.p = nil }

var _ store.Digester = (*Store)(nil)

// SHA256 hashes p in a store reader worker where one can run and the page
// has shared buffers, else on this thread with crypto.subtle (or in Go).
func (s *Store) SHA256(p []byte) ([32]byte, error) {
	if sum, err := s.readers.digest(p); err != errNoReaders {
		return sum, err
	}
	return webcodec.Sum256(p), nil
}

// readShardSHA256Here is ReadShardSHA256 on the calling thread: the copy
// into p runs while the browser hashes.
func (s *Store) readShardSHA256Here(model, shard string, p []byte) ([32]byte, error) {
	var sum [32]byte
	t, err := s.begin("readonly", fmt.Sprintf("reading shard %q of %s", shard, model))
	if err != nil {
		return sum, err
	}
	entry := t.req(t.models, "get", model)
	all := t.req(t.chunks, "getAll", allOf(model, shard))
	if err := t.wait(); err != nil {
		return sum, err
	}
	e := get(entry, "result")
	if isMissing(e) {
		return sum, notFound(model)
	}
	if size, _, _ := shardOf(e, shard); size != int64(len(p)) {
		return sum, fmt.Errorf("idb: shard %q of %s holds %d bytes, not the %d asked for", shard, model, size, len(p))
	}
	whole, err := joinChunks(get(all, "result"), len(p))
	if err != nil {
		return sum, fmt.Errorf("idb: shard %q of %s: %w", shard, model, err)
	}
	digest, derr := webcodec.Digest(whole)
	if n, err := safejs.CopyBytesToGo(p, whole); err != nil || n != len(p) {
		return sum, fmt.Errorf("idb: shard %q of %s: copied %d of %d bytes: %v", shard, model, n, len(p), err)
	}
	if derr != nil {
		return sha256.Sum256(p), nil
	}
	return webcodec.AwaitDigest(digest)
}

// joinChunks returns the chunks of a shard, an array of Uint8Arrays and
// Blobs, as one Uint8Array of size bytes: the only chunk's bytes
// themselves, or a copy of all.
func joinChunks(chunks safejs.Value, size int) (safejs.Value, error) {
	count, err := chunks.Length()
	if err != nil {
		return chunks, err
	}
	parts := make([]safejs.Value, count)
	for i := range parts {
		c, _ := chunks.Index(i)
		if parts[i], err = chunkBytes(c, 0, math.MaxInt); err != nil {
			return c, err
		}
	}
	if count == 1 {
		if n, _ := parts[0].Length(); n == size {
			return parts[0], nil
		}
	}
	u8c, err := global("Uint8Array")
	if err != nil {
		return u8c, err
	}
	whole, err := u8c.New(size)
	if err != nil {
		return whole, err
	}
	at := 0
	for _, c := range parts {
		n, _ := c.Length()
		if at+n > size {
			return whole, fmt.Errorf("stored chunks hold more than its size %d", size)
		}
		if _, err := whole.Call("set", c, at); err != nil {
			return whole, err
		}
		at += n
	}
	if at != size {
		return whole, fmt.Errorf("stored chunks end at byte %d, before its size %d", at, size)
	}
	return whole, nil
}

package store

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/modeldir"
)

// SinkChunkSize is the most bytes a Sink stores with one AppendShard.
const SinkChunkSize = 1 << 20

// pendingManifest is the manifest of an entry whose shards are being
// written: not a model manifest, so that no reader takes it for one.
var pendingManifest = []byte(`{"pending": "a model being written; its manifest is stored after its shards"}` + "\n")

// Sink returns a modeldir.Sink keeping a model directory in st under the
// key model, in the form a downloaded model is kept: manifest.json as the
// entry's manifest and the shards under their file names, each verified,
// the entry complete. A Writer (modeldir.NewWriterTo) then stores a
// conversion's output as it is produced, and the model loads like a
// downloaded one.
//
// The manifest holds the shards' hashes, so it is known only after them;
// the calls are, in order:
//
//	Delete(model), PutManifest(model, placeholder)      Begin
//	AppendShard(model, shard, …) …, SetVerified(…, true) each shard
//	RewriteManifest(model, manifest), SetComplete(model, true)  Commit
//	Delete(model)                                       Abort
//
// A model stored before under the key is gone from Begin on. Until Commit
// the entry holds the placeholder manifest and is incomplete, so an
// interrupted conversion never reads as a model; Abort deletes the entry
// and frees its space.
func Sink(st Store, model string) modeldir.Sink { return &modelSink{st: st, model: model} }

type modelSink struct {
	st    Store
	model string
	buf   []byte // the chunk buffer, reused from shard to shard
}

func (s *modelSink) Begin() error {
	// PutManifest alone would keep the shards of an interrupted earlier
	// conversion, whose placeholder is the same.
	if err := s.st.Delete(s.model); err != nil {
		return err
	}
	return s.st.PutManifest(s.model, pendingManifest)
}

func (s *modelSink) CreateShard(name string) (modeldir.ShardWriter, error) {
	if s.buf == nil {
		s.buf = make([]byte, 0, SinkChunkSize)
	}
	return &storeShard{s: s, name: name, buf: s.buf[:0]}, nil
}

func (s *modelSink) Commit(manifest []byte) error {
	if err := s.st.RewriteManifest(s.model, manifest); err != nil {
		return err
	}
	return s.st.SetComplete(s.model, true)
}

func (s *modelSink) Abort() { s.st.Delete(s.model) }

// storeShard gathers a shard's bytes into chunks of SinkChunkSize and
// appends each as it fills.
type storeShard struct {
	s    *modelSink
	name string
	buf  []byte
	off  int64 // bytes stored
}

func (w *storeShard) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf, p = w.buf[:len(w.buf)+k], p[k:]
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

func (w *storeShard) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if err := w.s.st.AppendShard(w.s.model, w.name, w.off, w.buf); err != nil {
		return fmt.Errorf("storing bytes %d to %d: %w", w.off, w.off+int64(len(w.buf)), err)
	}
	w.off += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}

// Commit stores the last chunk and marks the shard verified: its hashes
// were computed over exactly the bytes stored.
func (w *storeShard) Commit() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.buf = nil
	return w.s.st.SetVerified(w.s.model, w.name, true)
}

func (w *storeShard) Discard() {
	w.buf = nil
	w.s.st.DeleteShard(w.s.model, w.name)
}

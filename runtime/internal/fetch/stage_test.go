package fetch_test

import (
	"crypto/sha256"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
)

// stagerStore is a store.Stager over Mem with room for two shards, which
// counts the shards it stages.
type stagerStore struct {
	store.Store
	staged int
}

func (s *stagerStore) ReadShardSHA256(model, shard string, p []byte) ([32]byte, error) {
	n, err := s.ReadShard(model, shard, 0, p)
	return sha256.Sum256(p[:n]), err
}

func (s *stagerStore) StageShard(model, shard string, size int64) (store.StagedShard, error) {
	p := make([]byte, size)
	sum, err := s.ReadShardSHA256(model, shard, p)
	s.staged++
	return &memStaged{p, sum}, err
}

func (s *stagerStore) Stages() int { return 2 }

type memStaged struct {
	p   []byte
	sum [32]byte
}

func (m *memStaged) Take(p []byte) error { copy(p, m.p); return nil }
func (m *memStaged) Sum() [32]byte       { return m.sum }
func (m *memStaged) Drop()               {}

// The shards of a store.Stager are modeldir.StagingFiles, read ahead no
// more than it has room for, and load the directory's tensors.
func TestSourceStages(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := &stagerStore{Store: store.Mem()}
	src := mustFetch(t, srv.url(), options(st, srv)).Source()
	f, err := src.Open(shards[0].File)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(modeldir.StagingFile); !ok {
		t.Fatalf("a shard of a Stager is a %T, not a modeldir.StagingFile", f)
	}
	if n := fetch.Readers(st); n != 2 {
		t.Errorf("Readers of a Stager with room for 2: %d", n)
	}
	if n := fetch.Readers(store.Mem()); n != 1 {
		t.Errorf("Readers of Mem: %d, want 1", n)
	}
	sameTensors(t, src, dir)
	if st.staged != len(shards) {
		t.Errorf("%d shards staged for a load of %d", st.staged, len(shards))
	}
}

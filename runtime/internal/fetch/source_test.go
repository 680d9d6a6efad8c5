package fetch_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
)

// countingStore counts ReadShard calls.
type countingStore struct {
	store.Store
	reads int
}

func (s *countingStore) ReadShard(model, shard string, off int64, p []byte) (int, error) {
	s.reads++
	return s.Store.ReadShard(model, shard, off, p)
}

// Result.Source serves the stored decoded bytes, small reads from a read-ahead
// window of one chunk.
func TestSource(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := &countingStore{Store: store.Mem()}
	src := mustFetch(t, srv.url(), options(st, srv)).Source()

	s := shards[1]
	comp, err := os.ReadFile(filepath.Join(dir, s.File))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, s.RawSize)
	if err := modeldir.DecodeShard(s, comp, want, nil); err != nil {
		t.Fatal(err)
	}
	f, err := src.Open(s.File)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() != int64(len(want)) {
		t.Fatalf("Size = %d, want %d", f.Size(), len(want))
	}
	st.reads = 0
	got := make([]byte, len(want))
	for off := 0; off < len(got); off += 100 {
		p := got[off:min(off+100, len(got))]
		if n, err := f.ReadAt(p, int64(off)); n != len(p) || (err != nil && err != io.EOF) {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatal("sequential small reads differ from the shard")
	}
	if chunks := (len(want) + testChunk - 1) / testChunk; st.reads > chunks {
		t.Errorf("%d small reads cost %d store reads, want at most %d", (len(want)+99)/100, st.reads, chunks)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		off := rng.IntN(len(want) + 10)
		p := make([]byte, rng.IntN(2*testChunk))
		n, err := f.ReadAt(p, int64(off))
		end := min(off+len(p), len(want))
		if off > len(want) {
			end = off
		}
		if n != end-off || !bytes.Equal(p[:n], want[off:end]) || (n < len(p)) != (err == io.EOF) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d bytes", len(p), off, n, err, end-off)
		}
	}

	m, err := src.Open(modeldir.ManifestFile)
	manifest, _ := os.ReadFile(filepath.Join(dir, modeldir.ManifestFile))
	if err != nil || m.Size() != int64(len(manifest)) {
		t.Errorf("manifest: size %v, %v; want %d bytes", m, err, len(manifest))
	}
	for _, name := range []string{"config.json", "shard-99999.bin.br", "../" + s.File} {
		if _, err := src.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want fs.ErrNotExist", name, err)
		}
	}
}

// namesStore records the shards read.
type namesStore struct {
	store.Store
	read map[string]int
}

func (s *namesStore) ReadShard(model, shard string, off int64, p []byte) (int, error) {
	s.read[shard]++
	return s.Store.ReadShard(model, shard, off, p)
}

// A shard downloaded whole is decoded from the bytes the download kept,
// without reading them back from the store.
func TestDecodeFromMemory(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := &namesStore{Store: store.Mem(), read: map[string]int{}}
	res := mustFetch(t, srv.url(), options(st, srv))
	for _, s := range shards {
		if n := st.read[s.File]; n != 0 {
			t.Errorf("%s: %d reads of its compressed bytes from the store", s.File, n)
		}
	}
	sameTensors(t, res.Source(), dir)
}

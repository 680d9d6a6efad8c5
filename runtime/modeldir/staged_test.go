package modeldir

import (
	"crypto/sha256"
	"errors"
	"maps"
	"sync"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// stagingSource serves decoded shards as StagingFiles with room for
// stages shards; it counts what happens to them.
type stagingSource struct {
	weights.MemSource
	room                         chan struct{}
	mu                           sync.Mutex
	staged, taken, dropped, most int
}

func newStagingSource(src weights.MemSource, stages int) *stagingSource {
	return &stagingSource{MemSource: src, room: make(chan struct{}, stages)}
}

func (s *stagingSource) Open(name string) (weights.File, error) {
	f, err := s.MemSource.Open(name)
	if err != nil || name == ManifestFile {
		return f, err
	}
	return stagingFile{f, s}, nil
}

type stagingFile struct {
	weights.File
	s *stagingSource
}

func (f stagingFile) ReadAllSHA256(p []byte) ([32]byte, error) {
	return [32]byte{}, errors.New("read unstaged")
}

func (f stagingFile) Stage() (Staged, error) {
	f.s.room <- struct{}{} // waits for room, as a store's workers do
	data := make([]byte, f.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, err
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	f.s.staged++
	f.s.most = max(f.s.most, len(f.s.room))
	return &staged{s: f.s, data: data}, nil
}

type staged struct {
	s    *stagingSource
	data []byte
	done bool
}

func (st *staged) Sum() [32]byte { return sha256.Sum256(st.data) }

func (st *staged) Take(p []byte) error {
	copy(p, st.data)
	st.free(&st.s.taken)
	return nil
}

func (st *staged) Drop() { st.free(&st.s.dropped) }

func (st *staged) free(count *int) {
	st.s.mu.Lock()
	defer st.s.mu.Unlock()
	if st.done {
		panic("staged shard freed twice")
	}
	st.done = true
	*count++
	<-st.s.room
}

// Shards of StagingFiles are staged ahead, within the room the source
// has, and each staged one is taken or dropped once: after a whole load,
// after a load stopped early, and at a shard whose bytes changed.
func TestStagedShards(t *testing.T) {
	dir := writeDir(t, testTensors(t, 4), WriterOptions{ShardSize: corruptShardSize})
	want, _, err := collect(mustOpen(t, readDir(t, dir), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, readers := range []int{1, 3} {
		src := newStagingSource(rawSource(t, dir), readers)
		m := mustOpen(t, src, Options{Raw: true, Readers: readers})
		got, _, err := collect(m)
		if err != nil || !maps.EqualFunc(got, want, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Fatalf("%d readers: %d tensors, %v; want the %d of the directory", readers, len(got), err, len(want))
		}
		if src.staged != len(m.Shards()) || src.taken != src.staged || src.dropped != 0 || src.most > readers {
			t.Errorf("%d readers: %d shards staged, %d taken, %d dropped, at most %d at once; want each of the %d staged and taken, at most %d at once",
				readers, src.staged, src.taken, src.dropped, src.most, len(m.Shards()), readers)
		}

		src = newStagingSource(rawSource(t, dir), readers)
		m = mustOpen(t, src, Options{Raw: true, Readers: readers})
		stop, calls := errors.New("stop"), 0
		err = m.Each(func(string, tensor.DType, []int, []byte) error {
			if calls++; calls == 3 {
				return stop
			}
			return nil
		})
		if err != stop || src.taken+src.dropped != src.staged || len(src.room) != 0 {
			t.Errorf("%d readers, stopped: %v; %d staged, %d taken, %d dropped, %d still held", readers, err, src.staged, src.taken, src.dropped, len(src.room))
		}

		src = newStagingSource(rawSource(t, dir), readers)
		name := ShardName(badShard)
		src.MemSource[name][3] ^= 1
		m = mustOpen(t, src, Options{Raw: true, Readers: readers})
		checkStopsAtBadShard(t, m, name+": sha256 of the decompressed bytes mismatch")
		if src.taken+src.dropped != src.staged || len(src.room) != 0 {
			t.Errorf("%d readers, bad shard: %d staged, %d taken, %d dropped, %d still held", readers, src.staged, src.taken, src.dropped, len(src.room))
		}
	}
}

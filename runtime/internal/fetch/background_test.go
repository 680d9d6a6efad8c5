package fetch_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/store"
)

// hasherStore is a store.Hasher over Mem, serialised by a lock as
// IndexedDB serialises its transactions, so that a fetch checks and stores
// decoded answers in the background. Its appends of a decoded shard wait
// (up to a second) until the server has been asked for a later file, and
// count those that did not see one.
type hasherStore struct {
	store.Store
	mu      sync.Mutex
	srv     *server
	shards  []string
	late    int
	appends map[string]int
}

func (s *hasherStore) locked(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

func (s *hasherStore) AppendShard(model, shard string, off int64, p []byte) error {
	if name, ok := strings.CutSuffix(shard, ".raw"); ok && name != s.shards[len(s.shards)-1] {
		if !s.askedAfter(name) {
			s.mu.Lock()
			s.late++
			s.mu.Unlock()
		}
	}
	return s.locked(func() error {
		s.appends[shard]++
		return s.Store.AppendShard(model, shard, off, p)
	})
}

// askedAfter waits until the server was asked for a shard after name.
func (s *hasherStore) askedAfter(name string) bool {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		for i, n := range s.shards[:len(s.shards)-1] {
			if n == name && len(s.srv.requests(s.shards[i+1])) > 0 {
				return true
			}
		}
	}
	return false
}

func (s *hasherStore) ReadShardSHA256(model, shard string, p []byte) ([32]byte, error) {
	var sum [32]byte
	err := s.locked(func() error {
		_, err := s.Store.ReadShard(model, shard, 0, p)
		sum = sha256.Sum256(p)
		return err
	})
	return sum, err
}

func (s *hasherStore) Models() (m []store.ModelInfo, err error) {
	err = s.locked(func() (e error) { m, e = s.Store.Models(); return })
	return
}
func (s *hasherStore) Manifest(model string) (b []byte, err error) {
	err = s.locked(func() (e error) { b, e = s.Store.Manifest(model); return })
	return
}
func (s *hasherStore) PutManifest(model string, b []byte) error {
	return s.locked(func() error { return s.Store.PutManifest(model, b) })
}
func (s *hasherStore) RewriteManifest(model string, b []byte) error {
	return s.locked(func() error { return s.Store.RewriteManifest(model, b) })
}
func (s *hasherStore) ShardSize(model, shard string) (n int64, err error) {
	err = s.locked(func() (e error) { n, e = s.Store.ShardSize(model, shard); return })
	return
}
func (s *hasherStore) ReadShard(model, shard string, off int64, p []byte) (n int, err error) {
	err = s.locked(func() (e error) { n, e = s.Store.ReadShard(model, shard, off, p); return })
	return
}
func (s *hasherStore) DeleteShard(model, shard string) error {
	return s.locked(func() error { return s.Store.DeleteShard(model, shard) })
}
func (s *hasherStore) SetVerified(model, shard string, ok bool) error {
	return s.locked(func() error { return s.Store.SetVerified(model, shard, ok) })
}
func (s *hasherStore) Verified(model, shard string) (ok bool, err error) {
	err = s.locked(func() (e error) { ok, e = s.Store.Verified(model, shard); return })
	return
}
func (s *hasherStore) SetComplete(model string, ok bool) error {
	return s.locked(func() error { return s.Store.SetComplete(model, ok) })
}
func (s *hasherStore) Estimate() (u, q int64, err error) {
	err = s.locked(func() (e error) { u, q, e = s.Store.Estimate(); return })
	return
}

// With a store that takes calls from several goroutines, each decoded
// answer is checked and stored while the next shard is requested; one
// that does not match is fetched again, once, after the others, with the
// query no cache has seen; the model is complete and its tensors right.
func TestDecodedInBackground(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	if len(shards) < 4 {
		t.Fatalf("the tiny model has %d shards, want at least 4", len(shards))
	}
	srv := newServer(t, dir)
	srv.encoding, srv.decoded = "br", true
	bad := shards[1]
	srv.flip(bad.File, 1)
	st := &hasherStore{Store: store.Mem(), srv: srv, appends: map[string]int{}}
	for _, s := range shards {
		st.shards = append(st.shards, s.File)
	}
	var rec recorder
	o := options(st, srv)
	o.Progress = rec.add
	res := mustFetch(t, srv.url(), o)
	if st.late != 0 {
		t.Errorf("%d of %d decoded shards were stored before the next one was asked for", st.late, len(shards)-1)
	}
	for _, s := range shards {
		if n := st.appends[fetch.RawName(s.File)]; n != 1 {
			t.Errorf("%s: %d appends of decoded bytes, want one", s.File, n)
		}
		if ok, err := st.Verified(srv.url(), fetch.RawName(s.File)); !ok || err != nil {
			t.Errorf("%s: verified %v, %v", s.File, ok, err)
		}
	}
	reqs := srv.queryOf(bad.File)
	if len(reqs) != 2 || !strings.Contains(reqs[1], "phi2-refetch=") {
		t.Errorf("%s requested as %q, want twice, the second with phi2-refetch", bad.File, reqs)
	}
	last := shards[len(shards)-1].File
	if len(srv.requests(last)) == 0 {
		t.Fatalf("%s never requested", last)
	}
	if info := modelInfo(t, st, srv.url()); !info.Complete {
		t.Error("the model is not complete")
	}
	rec.checkMonotonic(t, totalSize(shards))
	sameTensors(t, res.Source(), dir)
}

// A decoded answer that never matches fails the fetch as in order, naming
// the shard, and leaves nothing verified of it.
func TestDecodedInBackgroundCorrupt(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	srv.encoding, srv.decoded = "br", true
	bad := shards[2]
	srv.flip(bad.File, -1)
	st := &hasherStore{Store: store.Mem(), srv: srv, appends: map[string]int{}}
	for _, s := range shards {
		st.shards = append(st.shards, s.File)
	}
	_, err := fetch.Fetch(context.Background(), srv.url(), options(st, srv))
	if err == nil || !strings.Contains(err.Error(), srv.url()+bad.File) || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("fetch of a corrupt shard: %v, want an error naming %s%s as corrupt", err, srv.url(), bad.File)
	}
	if got := len(srv.requests(bad.File)); got != 2 {
		t.Errorf("%s requested %d times, want 2", bad.File, got)
	}
	if info := modelInfo(t, st, srv.url()); info.Complete {
		t.Error("the model is complete")
	}
	if ok, _ := st.Verified(srv.url(), fetch.RawName(bad.File)); ok {
		t.Error("the corrupt shard is verified")
	}
}

package fetch_test

import (
	"crypto/sha256"
	"errors"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

// askCountingStore counts the per-shard questions and estimates asked of the
// store it wraps (and unwraps to, for store.AsLister).
type askCountingStore struct {
	store.Store
	asked, estimates int
	marks            []bool // SetComplete's arguments
}

func (s *askCountingStore) Unwrap() store.Store { return s.Store }
func (s *askCountingStore) ShardSize(model, shard string) (int64, error) {
	s.asked++
	return s.Store.ShardSize(model, shard)
}
func (s *askCountingStore) Verified(model, shard string) (bool, error) {
	s.asked++
	return s.Store.Verified(model, shard)
}
func (s *askCountingStore) SetComplete(model string, complete bool) error {
	s.marks = append(s.marks, complete)
	return s.Store.SetComplete(model, complete)
}
func (s *askCountingStore) Estimate() (int64, int64, error) {
	s.estimates++
	return s.Store.Estimate()
}

// A fetch of a stored model asks a store.Lister once for all shards, not
// shard by shard, and asks no estimate when nothing is missing; without a
// listing (the store does not unwrap) it asks shard by shard.
func TestStoredModelListed(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	mem := store.Mem()
	mustFetch(t, srv.url(), options(mem, srv))
	listed := &askCountingStore{Store: mem}
	mustFetch(t, srv.url(), options(listed, srv))
	if listed.asked != 0 || listed.estimates != 0 {
		t.Errorf("a stored model with a listing: %d shard questions, %d estimates; want none", listed.asked, listed.estimates)
	}
	plain := &askCountingStore{Store: mem}
	mustFetch(t, srv.url(), options(struct{ store.Store }{plain}, srv)) // hides Unwrap
	if plain.asked < 2*len(shards) || plain.estimates != 0 {
		t.Errorf("a stored model without a listing: %d shard questions, %d estimates; want at least %d, none", plain.asked, plain.estimates, 2*len(shards))
	}
}

// A first download into a store with a listing asks nothing shard by shard
// and takes the complete mark away once, not once per shard: each such
// call is an IndexedDB transaction that the next request used to wait for.
func TestDownloadAsksOnce(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	if len(shards) < 2 {
		t.Fatalf("the model has %d shards; the test needs several", len(shards))
	}
	srv := newServer(t, dir)
	st := &askCountingStore{Store: store.Mem()}
	mustFetch(t, srv.url(), options(st, srv))
	if st.asked != 0 || !slices.Equal(st.marks, []bool{false, true}) {
		t.Errorf("a first download of %d shards: %d shard questions, complete marks %v; want none, [false true]", len(shards), st.asked, st.marks)
	}
}

// replacingStore is a store.Replacer over a Store that counts its calls.
type replacingStore struct {
	store.Store
	replaced int
}

func (s *replacingStore) ReplaceShard(model, shard string, data []byte, drop ...string) error {
	s.replaced++
	for _, name := range append([]string{shard}, drop...) {
		if err := s.DeleteShard(model, name); err != nil {
			return err
		}
	}
	if err := s.AppendShard(model, shard, 0, data); err != nil {
		return err
	}
	return s.SetVerified(model, shard, true)
}

// A store.Replacer takes each decoded shard in one call, and the model
// loads from what it stored.
func TestDecodedShardsReplaced(t *testing.T) {
	dir, shards := tinyModel(t, 2)
	srv := newServer(t, dir)
	st := &replacingStore{Store: store.Mem()}
	res := mustFetch(t, srv.url(), options(st, srv))
	if st.replaced != len(shards) {
		t.Errorf("%d shards stored by ReplaceShard, want %d", st.replaced, len(shards))
	}
	sameTensors(t, res.Source(), dir)
}

// digestingStore is a store.Digester that counts what it hashes, or fails.
type digestingStore struct {
	store.Store
	hashed int
	fail   bool
}

func (s *digestingStore) SHA256(p []byte) ([32]byte, error) {
	if s.fail {
		return [32]byte{}, errors.New("no worker")
	}
	s.hashed++
	return sha256.Sum256(p), nil
}

// A store.Digester hashes each decoded answer; where it fails, the fetch
// hashes itself, with the same result.
func TestDecodedHashedByStore(t *testing.T) {
	for _, fail := range []bool{false, true} {
		dir, shards := tinyModel(t, 3)
		srv := newServer(t, dir)
		srv.encoding, srv.decoded = "br", true
		st := &digestingStore{Store: store.Mem(), fail: fail}
		res := mustFetch(t, srv.url(), options(st, srv))
		if want := len(shards) * map[bool]int{false: 1, true: 0}[fail]; st.hashed != want {
			t.Errorf("failing %v: the store hashed %d answers, want %d", fail, st.hashed, want)
		}
		sameTensors(t, res.Source(), dir)
	}
}

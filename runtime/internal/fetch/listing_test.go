package fetch_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

// askCountingStore counts the per-shard questions and estimates asked of the
// store it wraps (and unwraps to, for store.AsLister).
type askCountingStore struct {
	store.Store
	asked, estimates int
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

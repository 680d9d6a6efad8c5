package store_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/store/storetest"
)

func TestMem(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.Mem() })
}

func TestMemWithQuota(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.MemWithQuota(1 << 30) })
}

func TestDir(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.Dir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

type fakeHasher struct{ store.Store }

func (fakeHasher) ReadShardSHA256(string, string, []byte) ([32]byte, error) { return [32]byte{}, nil }

// AsHasher finds a Hasher through the wrappers that pass reads through,
// and none in a store that is not one.
func TestAsHasher(t *testing.T) {
	h := fakeHasher{store.Mem()}
	if _, ok := store.AsHasher(store.LowerQuota(h, 10)); !ok {
		t.Error("a Hasher under LowerQuota is not found")
	}
	if _, ok := store.AsHasher(store.LowerQuota(store.Mem(), 10)); ok {
		t.Error("a Mem store under LowerQuota is taken for a Hasher")
	}
}

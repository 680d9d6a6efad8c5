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

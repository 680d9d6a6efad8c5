package load_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// A model larger than MaxStorageBytes, or than the store's quota, is
// refused with the MB needed and available, and nothing usable is left;
// one that fits the limit is stored.
func TestQuota(t *testing.T) {
	ck := checkpointDir(t)
	dir, _ := convertedDir(t, ck, tensor.Q4, 64<<10)
	_, total := storedSizes(t, dir) // the room the model needs
	byDir, byRepo := serve(t, dir), serve(t, ck)
	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	cases := []struct {
		name  string
		url   string
		o     load.Options
		wants []string
	}{
		{"limit, directory", byDir.URL, load.Options{Client: viaNetHTTP, Store: store.Mem(), MaxStorageBytes: total - 1}, []string{mb(total), mb(total - 1)}},
		{"quota, directory", byDir.URL, load.Options{Client: viaNetHTTP, Store: store.LowerQuota(store.Mem(), 1000)}, []string{mb(total)}},
		{"limit, conversion", byRepo.URL, load.Options{Client: viaNetHTTP, Store: store.Mem(), MaxStorageBytes: 1000}, []string{"MB"}},
		{"full store, conversion", byRepo.URL, load.Options{Client: viaNetHTTP, Store: store.MemWithQuota(5000)}, []string{"MB"}},
	}
	for _, c := range cases {
		var rec recorder
		c.o.Progress = rec.add
		_, err := load.Fill(context.Background(), c.url, c.o)
		if !errors.Is(err, load.ErrQuota) {
			t.Errorf("%s: %v, want ErrQuota", c.name, err)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not give %s", c.name, err, w)
			}
		}
		if hasComplete(c.o.Store) {
			t.Errorf("%s: a refused model is marked complete: %+v", c.name, stored(t, c.o.Store))
		}
		for _, ev := range rec.events {
			if ev.Phase == "download" && ev.Done > 0 {
				t.Errorf("%s: %+v: bytes were downloaded before the refusal", c.name, ev)
				break
			}
		}
	}
	st := store.Mem()
	if _, err := load.Fill(context.Background(), byDir.URL, load.Options{Client: viaNetHTTP, Store: st, MaxStorageBytes: total}); err != nil {
		t.Fatalf("a model of exactly the limit: %v", err)
	}
	if !hasComplete(st) {
		t.Error("a model of exactly the limit is not stored complete")
	}
}

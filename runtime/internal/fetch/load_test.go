package fetch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// A byte flipped in the stored copy is caught by modeldir's checks; Load
// fetches that shard again and loads once more.
func TestLoadRepairsStoredShard(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	o := options(st, srv)
	mustFetch(t, srv.url(), o)

	bad := shards[3]
	data := make([]byte, bad.CompressedSize)
	if n, _ := st.ReadShard(srv.url(), bad.File, 0, data); n != len(data) {
		t.Fatalf("read %d of %d stored bytes", n, len(data))
	}
	data[len(data)/3] ^= 1
	for _, err := range []error{st.DeleteShard(srv.url(), bad.File), st.AppendShard(srv.url(), bad.File, 0, data),
		st.SetVerified(srv.url(), bad.File, true)} {
		if err != nil {
			t.Fatal(err)
		}
	}

	srv.reset()
	var errs []error
	err := fetch.Load(context.Background(), srv.url(), o, func(src weights.Source) error {
		_, err := tensors(t, src)
		errs = append(errs, err)
		return err
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(errs) != 2 || errs[0] == nil || !strings.Contains(errs[0].Error(), bad.File) {
		t.Fatalf("load attempts: %v; want a failure naming %s, then success", errs, bad.File)
	}
	if sent := srv.shardBytesSent(); sent != bad.CompressedSize || srv.sentTo(bad.File) != sent {
		t.Errorf("%d shard bytes sent, want %s alone (%d)", sent, bad.File, bad.CompressedSize)
	}
	if info := modelInfo(t, st, srv.url()); !info.Complete {
		t.Error("the repaired model is not complete")
	}
	res := mustFetch(t, srv.url(), o)
	sameTensors(t, res.Source(), dir)
}

// An error not about a shard is returned as it is, after one call.
func TestLoadOtherError(t *testing.T) {
	dir, _ := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	calls := 0
	boom := errors.New("out of memory")
	err := fetch.Load(context.Background(), srv.url(), options(st, srv), func(weights.Source) error {
		calls++
		return boom
	})
	if err != boom || calls != 1 {
		t.Errorf("Load = %v after %d calls, want the callback's error after one", err, calls)
	}
}

// Repair of a name that is not a shard of the model is an error.
func TestRepairUnknownShard(t *testing.T) {
	dir, _ := tinyModel(t, 1)
	srv := newServer(t, dir)
	res := mustFetch(t, srv.url(), options(store.Mem(), srv))
	if err := res.Repair("../manifest.json"); err == nil {
		t.Error("Repair of an unknown shard succeeded")
	}
}

package fetch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/weights"
)

// A byte flipped in a stored shard's decoded bytes is caught by the raw
// sha256 on the next load; Load fetches that shard alone again and loads
// once more.
func TestLoadRepairsStoredShard(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	o := options(st, srv)
	mustFetch(t, srv.url(), o)
	if n := shardSize(t, st, srv.url(), shards[3].File); n != 0 {
		t.Fatalf("%d compressed bytes of %s are kept after decoding", n, shards[3].File)
	}

	bad := shards[3]
	flipStored(t, st, srv.url(), fetch.RawName(bad.File), bad.RawSize/3)

	srv.reset()
	var errs []error
	err := fetch.Load(context.Background(), srv.url(), o, func(src weights.Source) error {
		_, err := tensors(t, src, true)
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

// flipStored flips one bit of the stored shard name at off, keeping its
// verified mark, as a disk or a browser bug could.
func flipStored(t *testing.T, st store.Store, url, name string, off int64) {
	t.Helper()
	size := shardSize(t, st, url, name)
	data := make([]byte, size)
	if n, _ := st.ReadShard(url, name, 0, data); int64(n) != size {
		t.Fatalf("read %d of %d stored bytes of %s", n, size, name)
	}
	data[off] ^= 1
	for _, err := range []error{st.DeleteShard(url, name), st.AppendShard(url, name, 0, data),
		st.SetVerified(url, name, true)} {
		if err != nil {
			t.Fatal(err)
		}
	}
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

// A store written before shards were kept decoded holds their compressed
// bytes, verified: they are decoded without the network, once, and the
// compressed bytes dropped. One whose bytes do not decode is fetched again.
func TestCompressedStoreIsDecoded(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	manifest, err := os.ReadFile(filepath.Join(dir, modeldir.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutManifest(srv.url(), manifest); err != nil {
		t.Fatal(err)
	}
	for i, s := range shards {
		data, err := os.ReadFile(filepath.Join(dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			data[len(data)/2] ^= 1 // verified once, changed since
		}
		if err := st.AppendShard(srv.url(), s.File, 0, data); err != nil {
			t.Fatal(err)
		}
		if err := st.SetVerified(srv.url(), s.File, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetComplete(srv.url(), true); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	o := options(st, srv)
	o.Progress = rec.add
	res := mustFetch(t, srv.url(), o)
	rec.checkMonotonic(t, totalSize(shards))
	verifies, rated := 0, 0
	for _, ev := range rec.events {
		if ev.Phase == fetch.PhaseVerify {
			verifies++
			if ev.BytesPerSecond > 0 {
				rated++
			}
		}
	}
	if verifies < len(shards)-1 || rated == 0 {
		t.Errorf("%d verify reports, %d with a rate; want one per shard decoded, with a rate after the first", verifies, rated)
	}
	if sent := srv.shardBytesSent(); sent != shards[2].CompressedSize || srv.sentTo(shards[2].File) != sent {
		t.Errorf("%d shard bytes sent, want %s alone (%d)", sent, shards[2].File, shards[2].CompressedSize)
	}
	for _, s := range shards {
		if n := shardSize(t, st, srv.url(), s.File); n != 0 {
			t.Errorf("%s: %d compressed bytes kept", s.File, n)
		}
	}
	if info := modelInfo(t, st, srv.url()); !info.Complete || info.Bytes != rawSize(shards) {
		t.Errorf("stored model = %+v, want complete with its %d decoded bytes", info, rawSize(shards))
	}
	sameTensors(t, res.Source(), dir)
}

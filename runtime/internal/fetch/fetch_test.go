package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/internal/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
)

// A first fetch downloads every shard once; a later one, with the server
// gone and the store reopened, loads the model from the store alone.
func TestFetchThenOffline(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	root := t.TempDir()
	st, err := store.Dir(root)
	if err != nil {
		t.Fatal(err)
	}
	res := mustFetch(t, srv.url(), options(st, srv))
	if res.URL != srv.url() || res.Offline {
		t.Errorf("Result = %+v", res)
	}
	for _, s := range shards {
		if n := srv.sentTo(s.File); n != s.CompressedSize {
			t.Errorf("%s: the server sent %d bytes, want %d (once)", s.File, n, s.CompressedSize)
		}
	}
	if info := modelInfo(t, st, srv.url()); !info.Complete || info.Bytes != rawSize(shards) {
		t.Errorf("stored model = %+v, want complete with its %d decoded bytes", info, rawSize(shards))
	}
	sameTensors(t, res.Source(), dir)

	// Online again: the manifest is fetched, no shard.
	srv.reset()
	mustFetch(t, srv.url()[:len(srv.url())-1], options(st, srv)) // the same model without the final '/'
	if n := srv.shardBytesSent(); n != 0 {
		t.Errorf("a second fetch downloaded %d shard bytes, want 0", n)
	}
	if len(srv.requests(modeldir.ManifestFile)) != 1 {
		t.Errorf("manifest requests: %q, want one", srv.requests(modeldir.ManifestFile))
	}

	srv.Close()
	st, err = store.Dir(root)
	if err != nil {
		t.Fatal(err)
	}
	res = mustFetch(t, srv.url(), options(st, srv))
	if !res.Offline || res.NetworkErr == nil {
		t.Errorf("with the server closed: Offline = %v, NetworkErr = %v; want the stored copy and the reason", res.Offline, res.NetworkErr)
	}
	sameTensors(t, res.Source(), dir)
}

// Offline, an incomplete or absent model is a clear error.
func TestOfflineIncomplete(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	st := store.Mem()
	o := options(st, srv)
	o.Retries = -1
	srv.cut(shards[1].File, 1000)
	if _, err := fetch.Fetch(context.Background(), srv.url(), o); err == nil {
		t.Fatal("a fetch whose connection was cut succeeded")
	}
	srv.Close()
	_, err := fetch.Fetch(context.Background(), srv.url(), o)
	if err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("offline fetch of an incomplete model: %v, want an error saying it is incomplete", err)
	}
	_, err = fetch.Fetch(context.Background(), srv.URL+"/other/", o)
	if err == nil || !strings.Contains(err.Error(), "not stored") {
		t.Errorf("offline fetch of a model never stored: %v, want an error saying it is not stored", err)
	}
}

// A server whose manifest changed replaces the stored entry.
func TestManifestChanged(t *testing.T) {
	dir1, _ := tinyModel(t, 1)
	dir2, shards2 := tinyModel(t, 2)
	srv := newServer(t, dir1)
	st := store.Mem()
	mustFetch(t, srv.url(), options(st, srv))
	srv.dir = dir2
	srv.reset()
	res := mustFetch(t, srv.url(), options(st, srv))
	if n := srv.shardBytesSent(); n != totalSize(shards2) {
		t.Errorf("after the manifest changed %d shard bytes were sent, want all %d", n, totalSize(shards2))
	}
	want, _ := os.ReadFile(filepath.Join(dir2, modeldir.ManifestFile))
	if got, _ := st.Manifest(srv.url()); string(got) != string(want) {
		t.Error("the stored manifest is not the new one")
	}
	sameTensors(t, res.Source(), dir2)
}

// A quota smaller than the model fails before any shard is downloaded.
func TestQuota(t *testing.T) {
	dir, shards := tinyModel(t, 1)
	srv := newServer(t, dir)
	manifest, _ := os.ReadFile(filepath.Join(dir, modeldir.ManifestFile))
	quota := totalSize(shards) / 2
	st := store.MemWithQuota(quota)
	_, err := fetch.Fetch(context.Background(), srv.url(), options(st, srv))
	needed := float64(totalSize(shards)) / 1e6
	available := float64(quota-int64(len(manifest))) / 1e6
	if !errors.Is(err, fetch.ErrQuota) {
		t.Errorf("fetch over the quota: %v; want an error wrapping fetch.ErrQuota", err)
	}
	for _, want := range []string{formatMB(needed), formatMB(available)} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("fetch over the quota: %v; want an error giving %s", err, want)
		}
	}
	if n := srv.shardBytesSent(); n != 0 {
		t.Errorf("%d shard bytes were downloaded, want none", n)
	}
	if info := modelInfo(t, st, srv.url()); info.Complete || info.Bytes != 0 {
		t.Errorf("stored model = %+v, want incomplete and empty", info)
	}
}

func formatMB(mb float64) string { return fmt.Sprintf("%.1f MB", mb) }

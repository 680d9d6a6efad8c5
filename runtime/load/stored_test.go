package load_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// A model directory is downloaded under its URL, reported phase by phase,
// and loads again from the store with the server gone.
func TestModelDirectory(t *testing.T) {
	dir, total := convertedDir(t, checkpointDir(t), tensor.Q4, 64<<10)
	srv := serve(t, dir)
	st := store.Mem()
	var locked []string
	var rec recorder
	o := load.Options{Client: viaNetHTTP, Store: st, Progress: rec.add, Lock: func(_ context.Context, key string) (func(), error) {
		locked = append(locked, key)
		return func() { locked = append(locked, "released") }, nil
	}}
	var key string
	err := load.Open(context.Background(), srv.URL, o, sameAs(t, dir, &key))
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + "/"; key != want || !slices.Equal(locked, []string{want, "released"}) {
		t.Errorf("key %q, locks %q; want %q, taken and released", key, locked, want)
	}
	if got, want := rec.phases(), []string{"manifest", "download", "load", "ready"}; !slices.Equal(got, want) {
		t.Errorf("phases %q, want %q", got, want)
	}
	rec.checkPhase(t, "download", total)
	tensorBytes, _ := storedSizes(t, dir)
	rec.checkPhase(t, "load", tensorBytes)

	srv.Close()
	rec = recorder{}
	if err := load.Open(context.Background(), srv.URL+"/", o, sameAs(t, dir, &key)); err != nil {
		t.Fatalf("offline: %v", err)
	}
	if got, want := rec.phases(), []string{"manifest", "download", "load", "ready"}; !slices.Equal(got, want) {
		t.Errorf("offline: phases %q, want %q", got, want)
	}
	for _, ev := range rec.events {
		if ev.Phase == "download" && !ev.FromCache {
			t.Fatalf("offline: %+v is not from the store", ev)
		}
	}
}

// A Hugging Face checkpoint is converted into the store under
// <url>.phi2web-<quant>/, as `phi2 convert` converts it, and loads from
// there with the server gone.
func TestHuggingFace(t *testing.T) {
	ck := checkpointDir(t)
	want, _ := convertedDir(t, ck, tensor.Q8, 0)
	srv := serve(t, ck)
	st := store.Mem()
	var rec recorder
	o := load.Options{Client: viaNetHTTP, Store: st, Quant: "q8", Progress: rec.add}
	var key string
	err := load.Open(context.Background(), srv.URL, o, sameAs(t, want, &key))
	if err != nil {
		t.Fatal(err)
	}
	if _, wantKey := load.Keys(srv.URL, "q8"); key != wantKey || wantKey != srv.URL+"/.phi2web-q8/" {
		t.Errorf("key %q, want %q", key, srv.URL+"/.phi2web-q8/")
	}
	// The conversion stores compressed shards, decoded (verify) before the load.
	if got, want := rec.phases(), []string{"manifest", "convert", "verify", "load", "ready"}; !slices.Equal(got, want) {
		t.Errorf("phases %q, want %q", got, want)
	}
	rec.checkPhase(t, "convert", 0)
	rec.checkPhase(t, "load", 0)

	srv.Close()
	if err := load.Open(context.Background(), srv.URL, o, sameAs(t, want, &key)); err != nil {
		t.Fatalf("offline: %v", err)
	}
	if _, err := load.Fill(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: st, Quant: "q4"}); !errors.Is(err, load.ErrNetwork) {
		t.Errorf("another quant offline: %v, want ErrNetwork", err)
	}
}

func TestNotFound(t *testing.T) {
	srv := serve(t, t.TempDir())
	st := store.Mem()
	_, err := load.Fill(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: st})
	if !errors.Is(err, load.ErrNotFound) || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("empty directory: %v, want ErrNotFound naming config.json", err)
	}
	if hasComplete(st) {
		t.Error("a failed fill left a complete model")
	}
}

func TestNetwork(t *testing.T) {
	srv := serve(t, t.TempDir())
	srv.Close()
	_, err := load.Fill(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: store.Mem()})
	if !errors.Is(err, load.ErrNetwork) || !strings.HasPrefix(err.Error(), srv.URL+" cannot be reached") ||
		strings.Contains(err.Error(), "manifest.json") {
		t.Errorf("server gone, nothing stored: %v, want ErrNetwork naming the URL given, not manifest.json", err)
	}
	failing := serve(t, t.TempDir())
	failing.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	_, err = load.Fill(context.Background(), failing.URL, load.Options{Client: viaNetHTTP, Store: store.Mem()})
	if !errors.Is(err, load.ErrNetwork) {
		t.Errorf("server answering 503: %v, want ErrNetwork", err)
	}
}

// A manifest that is not one is a bad model, not a network failure.
func TestBadModel(t *testing.T) {
	srv := serve(t, t.TempDir())
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"format": "something else"}`))
	})
	_, err := load.Fill(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: store.Mem()})
	if !errors.Is(err, load.ErrBadModel) || errors.Is(err, load.ErrNetwork) {
		t.Errorf("bad manifest: %v, want ErrBadModel only", err)
	}
	if err := load.BadModel(errors.New("x")); !errors.Is(err, load.ErrBadModel) || err.Error() != "x" {
		t.Errorf("BadModel(x) = %v", err)
	}
}

func TestBadQuant(t *testing.T) {
	srv := serve(t, checkpointDir(t))
	_, err := load.Fill(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: store.Mem(), Quant: "q3"})
	if !errors.Is(err, load.ErrQuant) || !strings.Contains(err.Error(), "q3") {
		t.Errorf("quant q3: %v, want ErrQuant naming it", err)
	}
}

// Errors of use come back as they are.
func TestUseError(t *testing.T) {
	dir, _ := convertedDir(t, checkpointDir(t), tensor.Q4, 0)
	srv := serve(t, dir)
	mine := errors.New("backend out of memory")
	err := load.Open(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: store.Mem()}, func(*load.Model) error { return mine })
	if err != mine {
		t.Errorf("use failing: Open = %v, want use's error", err)
	}
}

// Fill leaves a Hugging Face conversion decoded, as a download is: a
// reader that cannot write the store (a wazero guest) loads it as it is.
func TestFillDecodesConversion(t *testing.T) {
	srv := serve(t, checkpointDir(t))
	st := store.Mem()
	key, err := load.Fill(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: st, Quant: "q4"})
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := st.Manifest(key)
	if err != nil {
		t.Fatal(err)
	}
	md, err := modeldir.Open(weights.MemSource{modeldir.ManifestFile: manifest})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range md.Shards() {
		raw, _ := st.ShardSize(key, store.RawShard(s.File))
		comp, _ := st.ShardSize(key, s.File)
		ok, _ := st.Verified(key, store.RawShard(s.File))
		if raw != s.RawSize || comp != 0 || !ok {
			t.Errorf("%s: %d decoded bytes (verified %v), %d compressed; want %d decoded and verified, none compressed", s.File, raw, ok, comp, s.RawSize)
		}
	}
}

// A load of a stored model uses what its fetch found: manifest.json is
// asked for by the probe that tells a model directory from a checkpoint
// and by the fetch, and by no second fetch.
func TestStoredLoadFetchesOnce(t *testing.T) {
	dir, _ := convertedDir(t, checkpointDir(t), tensor.Q4, 64<<10)
	var manifests atomic.Int32
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.Base(r.URL.Path) == modeldir.ManifestFile {
			manifests.Add(1)
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	o := load.Options{Client: viaNetHTTP, Store: store.Mem()}
	var key string
	for _, run := range []string{"first", "stored"} {
		manifests.Store(0)
		if err := load.Open(context.Background(), srv.URL, o, sameAs(t, dir, &key)); err != nil {
			t.Fatalf("%s load: %v", run, err)
		}
		if n := manifests.Load(); n != 2 {
			t.Errorf("%s load: manifest.json asked for %d times, want 2", run, n)
		}
	}
}

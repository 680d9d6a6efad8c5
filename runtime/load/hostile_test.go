package load_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/internal/httpget"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// A Hugging Face checkpoint whose bytes do not match the sha256 the server
// publishes for them (X-Linked-Etag) is refused, read in place or
// converted into the store, and nothing of it is left stored; one that
// matches loads.
func TestPublishedSHA256(t *testing.T) {
	ck := checkpointDir(t)
	data, err := os.ReadFile(filepath.Join(ck, weights.SingleFile))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	good := hex.EncodeToString(sum[:])
	for _, published := range []string{good, strings.Repeat("0", 64)} {
		files := http.FileServer(http.Dir(ck))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".safetensors") {
				w.Header().Set("X-Linked-Etag", `"`+published+`"`)
			}
			files.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		inPlace := load.Open(context.Background(), srv.URL, load.Options{Client: viaNetHTTP}, eachTensor)
		st := store.Mem()
		stored := load.Open(context.Background(), srv.URL, load.Options{Client: viaNetHTTP, Store: st, Quant: "q8"}, eachTensor)
		for name, err := range map[string]error{"in place": inPlace, "stored": stored} {
			if published == good && err != nil {
				t.Errorf("%s, the published sha256 matching: %v", name, err)
			}
			if published != good && (err == nil || !strings.Contains(err.Error(), "but the server published "+published)) {
				t.Errorf("%s, another sha256 published: %v, want the mismatch", name, err)
			}
		}
		if published != good && hasComplete(st) {
			t.Error("a refused checkpoint left a complete model in the store")
		}
	}
}

// eachTensor reads every tensor of m.
func eachTensor(m *load.Model) error {
	return m.Each(func(string, tensor.DType, []int, []byte) error { return nil })
}

// A server that never answers ends a load as a network failure, within
// the client's timeouts.
func TestSilentServer(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-done }))
	t.Cleanup(func() { close(done); srv.Close() })
	c := httpget.WithTimeouts(viaNetHTTP, httpget.Timeouts{FirstByte: 200 * time.Millisecond, Stall: 200 * time.Millisecond})
	start := time.Now()
	_, err := load.Fill(context.Background(), srv.URL, load.Options{Client: c, Store: store.Mem()})
	var te *httpget.TimeoutError
	if !errors.Is(err, load.ErrNetwork) || !errors.As(err, &te) {
		t.Errorf("silent server: %v, want ErrNetwork and a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the fill ended after %v", d)
	}
}

// A GGUF file read in place is checked against its published sha256 too:
// the reads go through it in order, across the padding between tensors
// and after the last one (as llama.cpp's writer pads it).
func TestPublishedSHA256GGUF(t *testing.T) {
	root := models(t, 2048)
	data, err := os.ReadFile(filepath.Join(root, "m.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, make([]byte, 16)...)
	sum := sha256.Sum256(data)
	for _, published := range []string{hex.EncodeToString(sum[:]), strings.Repeat("0", 64)} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Linked-Etag", published)
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		}))
		err := load.Open(context.Background(), srv.URL+"/m.gguf", load.Options{Client: viaNetHTTP}, eachTensor)
		srv.Close()
		if mismatch := err != nil && strings.Contains(err.Error(), "but the server published "+published); mismatch != (published != hex.EncodeToString(sum[:])) || (err != nil && !mismatch) {
			t.Errorf("published %s…: %v", published[:8], err)
		}
	}
}

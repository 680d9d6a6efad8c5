package load_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/internal/httpget/nethttp"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// models writes a tiny Hugging Face directory "hf" of the given vocabulary
// size, its Q8 conversion "md" and its GGUF "m.gguf" into one directory.
func models(t *testing.T, vocab int) string {
	t.Helper()
	root := t.TempDir()
	o := synth.Tiny()
	o.Vocab = vocab
	hf := filepath.Join(root, "hf")
	if err := synth.Write(hf, o); err != nil {
		t.Fatal(err)
	}
	var g bytes.Buffer
	err := load.Open(context.Background(), hf, load.Options{}, func(src *load.Model) error {
		if err := convert.Run(src, filepath.Join(root, "md"), convert.Options{Quant: tensor.Q8}); err != nil {
			return err
		}
		return gguf.WritePhi2(&g, src, "Q8_0")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "m.gguf"), g.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// fileServer serves root as a static server does, with two views of it:
// /redirect/... answers with a redirect to the same path, and /norange/...
// ignores Range headers. asked records the paths requested.
func fileServer(t *testing.T, root string) (srv *httptest.Server, asked func() []string) {
	var mu sync.Mutex
	var paths []string
	files := http.FileServer(http.Dir(root))
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if p, ok := strings.CutPrefix(r.URL.Path, "/redirect/"); ok {
			http.Redirect(w, r, "/"+p, http.StatusFound)
			return
		}
		if p, ok := strings.CutPrefix(r.URL.Path, "/norange/"); ok {
			r.Header.Del("Range")
			r.URL.Path = "/" + p
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(paths) }
}

// TestOpenURL: each format served over HTTP opens as the same format and
// gives the same tensor bytes as from disk.
func TestOpenURL(t *testing.T) {
	root := models(t, 300)
	srv, asked := fileServer(t, root)
	for _, c := range []struct{ url, local, format string }{
		{srv.URL + "/hf", "hf", load.HuggingFace},
		{srv.URL + "/hf/", "hf", load.HuggingFace},
		{srv.URL + "/redirect/hf", "hf", load.HuggingFace},
		{srv.URL + "/md", "md", load.ModelDir},
		{srv.URL + "/norange/md/", "md", load.ModelDir}, // each file fits one request
		{srv.URL + "/m.gguf", "m.gguf", load.GGUF},
		{srv.URL + "/redirect/m.gguf", "m.gguf", load.GGUF},
	} {
		m, err := opened(c.url, netHTTP)
		if err != nil {
			t.Fatalf("Open(%s): %v", c.url, err)
		}
		local, err := opened(filepath.Join(root, c.local), load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Format != c.format || m.Bytes != local.Bytes || m.Config != local.Config {
			t.Errorf("Open(%s) = %s, %d bytes, %+v; want %s, %d bytes, %+v", c.url, m.Format, m.Bytes, m.Config, c.format, local.Bytes, local.Config)
		}
		want := readAll(t, filepath.Join(root, c.local), load.Options{})
		got := readAll(t, c.url, netHTTP)
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("%s: %d tensors, want %d", c.url, len(got), len(want))
		}
		for name, data := range want {
			if !bytes.Equal(got[name], data) {
				t.Errorf("%s: tensor %s differs from the local copy", c.url, name)
			}
		}
	}
	// The Hugging Face directory was told apart by its missing manifest.
	if !slices.Contains(asked(), "/hf/manifest.json") {
		t.Errorf("manifest.json of hf never asked for: %v", asked())
	}
}

// netHTTP reaches the test servers, which a JavaScript host's fetch
// cannot under Node.
var netHTTP = load.Options{Client: viaNetHTTP}

func TestOpenURLErrors(t *testing.T) {
	// model.safetensors over 1 MiB: more than one read-ahead window.
	srv, _ := fileServer(t, models(t, 3000))
	for _, c := range []struct {
		url      string
		want     []string
		notExist bool
	}{
		{srv.URL + "/norange/hf", []string{srv.URL + "/norange/hf/model.safetensors", "must support Range requests"}, false},
		{srv.URL + "/nothing/", []string{srv.URL + "/nothing/config.json", "a model directory holds manifest.json"}, true},
		{srv.URL + "/nothing.gguf", []string{srv.URL + "/nothing.gguf"}, true},
		{"http://a b/model", []string{"model URL", "a b"}, false},
	} {
		_, err := opened(c.url, netHTTP)
		if err == nil || strings.Contains(err.Error(), "\n") || errors.Is(err, fs.ErrNotExist) != c.notExist {
			t.Errorf("Open(%s) = %v, want a one-line error (fs.ErrNotExist: %v)", c.url, err, c.notExist)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Open(%s) = %v, want %q in it", c.url, err, w)
			}
		}
	}
}

// countingTransport counts the requests it passes on.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestOpenURLUsesTheClient(t *testing.T) {
	srv, _ := fileServer(t, models(t, 300))
	tr := &countingTransport{}
	if got := readAll(t, srv.URL+"/md", load.Options{Client: nethttp.New(&http.Client{Transport: tr})}); len(got) == 0 || tr.n.Load() == 0 {
		t.Errorf("%d tensors with %d requests through Options.Client, want some of each", len(got), tr.n.Load())
	}
}

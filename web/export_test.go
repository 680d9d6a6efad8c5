package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteDir: the written folder holds every file the site serves, with
// the bytes it serves at the same path, the site's own files, the kernels
// and models.json included, and of a model only the files it names.
func TestWriteDir(t *testing.T) {
	ts := newTestSite(t)
	dir := filepath.Join(t.TempDir(), "dist")
	if err := ts.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		name := filepath.ToSlash(rel)
		files = append(files, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		w := ts.do(http.MethodGet, "/"+name, nil, nil)
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), data) {
			t.Errorf("%s: written %d bytes; the site serves %d bytes with status %d", name, len(data), w.Body.Len(), w.Code)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"index.html", "phi2.js", "phi2-chat.js", "phi2-worker.js", "sw.js", "favicon.svg", "kernels.wasm",
		"kernels-relaxed.wasm", "kernels.js", "phi2.wasm", "wasm_exec.js", "models.json", "models/default/manifest.json",
		"models/default/shard-00000.bin.br"}
	for _, name := range want {
		if !slices.Contains(files, name) {
			t.Errorf("%s was not written (written: %v)", name, files)
		}
	}
	for _, name := range []string{"models/default/link", "models/default/sub/config.json"} {
		if slices.Contains(files, name) {
			t.Errorf("%s was written: the site serves only the files the model names", name)
		}
	}
	if err := ts.WriteDir(dir); err == nil {
		t.Error("writing into a folder that is not empty did not fail")
	}
}

//go:build !wasm

package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/web"
)

// TestDefaultModel generates without --model: the embedded default model is
// written to the cache and used.
func TestDefaultModel(t *testing.T) {
	out, errOut, code := runCLI("generate", "--prompt", "func main() {", "--max-tokens", "8", "--temperature", "0", "--json")
	if code != 0 {
		t.Fatalf("generate without --model: exit %d: %s", code, errOut)
	}
	var r generateOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.IDs) == 0 {
		t.Fatalf("generate without --model: %q (%v)", out, err)
	}
	dir, err := defaultModelDir()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, modeldir.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fs.ReadFile(web.DefaultModel(), modeldir.ManifestFile)
	if !bytes.Equal(got, want) {
		t.Error("the cached default model's manifest differs from the embedded one")
	}
}

//go:build !wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/weights"
)

// hostileInput is one input a user might give phi2, and the answer it must
// get: exit status code (2 for a wrong command line, else 1), one line on
// stderr holding want, nothing on stdout, no crash, bounded memory.
type hostileInput struct {
	name string
	args func(t *testing.T) []string // prepares the input and returns the command line
	code int
	want string
}

// maxAllocated bounds what one refused command may allocate in all (the
// tiny model takes about 30 MB to load, a refused text to score 32 MiB to
// read).
const maxAllocated = 256 << 20

// runHostile runs each case as a subtest.
func runHostile(t *testing.T, cases []hostileInput) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := c.args(t)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out, errOut, code := runCLI(args...)
			runtime.ReadMemStats(&after)
			if code != c.code || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") ||
				!strings.Contains(errOut, c.want) {
				t.Errorf("phi2 %s:\nexit %d, stderr %q\nwant exit %d and one line with %q", strings.Join(args, " "), code, errOut, c.code, c.want)
			}
			for _, crash := range []string{"panic", "goroutine ", "fatal error", "runtime error"} {
				if strings.Contains(errOut, crash) {
					t.Errorf("a crash: %s", errOut)
				}
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
			t.Logf("exit %d: %s", code, strings.TrimSpace(errOut))
			if n := after.TotalAlloc - before.TotalAlloc; n > maxAllocated {
				t.Errorf("allocated %d MiB", n>>20)
			}
		})
	}
}

// logitsOn is the command line that loads model and computes once.
func logitsOn(model string) []string {
	return []string{"logits", "--model", model, "--ids", "50256,464"}
}

// hfModel is a copy of the tiny Hugging Face model whose config.json is
// edited by edit (the safetensors file is linked, not copied).
func hfModel(t *testing.T, edit func(cfg map[string]any)) string {
	t.Helper()
	var cfg map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(tinyDir, weights.ConfigFile)), &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return hfFiles(t, data, nil)
}

// hfFiles is a Hugging Face directory of the given config.json and
// model.safetensors; nil takes the tiny model's (linked).
func hfFiles(t *testing.T, config, safetensors []byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string][]byte{weights.ConfigFile: config, weights.SingleFile: safetensors} {
		path := filepath.Join(dir, name)
		if data == nil {
			if err := os.Symlink(filepath.Join(tinyDir, name), path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		writeFile(t, path, data)
	}
	return dir
}

// converted is the tiny model converted to q8 in 64 KiB shards, made once.
var converted = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(filepath.Dir(tinyDir), "hostile-q8")
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", dir, "--quant", "q8", "--shard-size", "64KiB"); code != 0 {
		return "", errors.New(errOut)
	}
	return dir, nil
})

// convertedModel is a copy of the converted tiny model, with edit applied
// to its files (by name) before it is returned.
func convertedModel(t *testing.T, edit func(files map[string][]byte)) string {
	t.Helper()
	src, err := converted()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files[e.Name()] = readFile(t, filepath.Join(src, e.Name()))
	}
	edit(files)
	dir := t.TempDir()
	for name, data := range files {
		if data != nil {
			writeFile(t, filepath.Join(dir, name), data)
		}
	}
	return dir
}

// editManifestJSON applies edit to manifest.json as a JSON object.
func editManifestJSON(t *testing.T, files map[string][]byte, edit func(m map[string]any)) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(files[modeldir.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	files[modeldir.ManifestFile] = data
}

// tinyGGUF is the tiny model as a Q8_0 GGUF file, made once.
var tinyGGUF = sync.OnceValues(func() ([]byte, error) {
	ck, err := weights.Open(weights.Dir(tinyDir))
	if err != nil {
		return nil, err
	}
	defer ck.Close()
	var b bytes.Buffer
	err = gguf.WritePhi2(&b, ck, "Q8_0")
	return b.Bytes(), err
})

// ggufModel writes the tiny GGUF file with its metadata edited by edit and
// returns its path.
func ggufModel(t *testing.T, edit func(kv []gguf.KV) []gguf.KV) string {
	t.Helper()
	data, err := tinyGGUF()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gguf.Parse(memFile(data))
	if err != nil {
		t.Fatal(err)
	}
	var ts []gguf.Tensor
	for _, ti := range g.Tensors {
		b := make([]byte, ti.Size)
		if err := g.ReadTensor(ti, b); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, gguf.Tensor{Name: ti.Name, Type: ti.Type, Dims: ti.Dims, Data: b})
	}
	var out bytes.Buffer
	if err := gguf.Write(&out, edit(g.KV), ts); err != nil {
		t.Fatal(err)
	}
	return ggufBytes(t, out.Bytes())
}

// ggufBytes writes a .gguf file holding data and returns its path.
func ggufBytes(t *testing.T, data []byte) string {
	path := filepath.Join(t.TempDir(), "model.gguf")
	writeFile(t, path, data)
	return path
}

// setGGUF sets one metadata value.
func setGGUF(key string, value any) func([]gguf.KV) []gguf.KV {
	return func(kv []gguf.KV) []gguf.KV {
		for i := range kv {
			if kv[i].Key == key {
				kv[i].Value = value
			}
		}
		return kv
	}
}

// memFile is a weights.File over bytes.
type memFile []byte

func (f memFile) ReadAt(p []byte, off int64) (int, error) { return bytes.NewReader(f).ReadAt(p, off) }
func (f memFile) Size() int64                             { return int64(len(f)) }
func (f memFile) Close() error                            { return nil }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

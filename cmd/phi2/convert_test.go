package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Converted models load everywhere a Hugging Face directory does, and an F32
// conversion computes the same logits.
func TestConvertThenLogits(t *testing.T) {
	ids := "50256,464,3139,7586,21831"
	want, errOut, code := runCLI("logits", "--model", tinyDir, "--ids", ids)
	if code != 0 {
		t.Fatal(errOut)
	}
	for _, q := range []string{"f32", "q8"} {
		out := filepath.Join(t.TempDir(), q)
		res, errOut, code := runCLI("convert", "--in", tinyDir, "--out", out, "--quant", q, "--shard-size", "512KiB")
		if code != 0 || !strings.Contains(res, `"from":"huggingface"`) || errOut != "" {
			t.Fatalf("convert %s: exit %d, %s %s", q, code, res, errOut)
		}
		got, errOut, code := runCLI("logits", "--model", out, "--ids", ids)
		if code != 0 {
			t.Fatalf("logits on %s: %s", q, errOut)
		}
		if q == "f32" && got != want {
			t.Errorf("F32 conversion changed the logits")
		}
		var res2 struct{ Argmax int }
		if err := json.Unmarshal([]byte(got), &res2); err != nil || (q == "q8" && res2.Argmax != 49039) {
			t.Errorf("%s: argmax %d (%v), want 49039", q, res2.Argmax, err)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"convert", "--in", tinyDir}, "--in and --out are required"},
		{[]string{"convert", "--in", tinyDir, "--out", t.TempDir(), "--quant", "q5"}, `unknown quantization "q5"`},
		{[]string{"convert", "--in", tinyDir, "--out", t.TempDir(), "--shard-size", "-3MiB"}, "not a positive size"},
		{[]string{"convert", "--in", t.TempDir(), "--out", t.TempDir()}, "config.json"},
	} {
		if _, errOut, code := runCLI(c.args...); code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("phi2 %s: exit %d, %q; want an error with %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}

// TestConvertOut: a conversion goes into a new or empty directory, or over
// an earlier conversion, whose stale shards it removes; a directory holding
// other files, or the source itself, is refused before anything is written.
func TestConvertOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model")
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", out, "--quant", "f32", "--shard-size", "64KiB"); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", out, "--quant", "q4"); code != 0 {
		t.Fatalf("over an earlier conversion: %s", errOut)
	}
	md, err := modeldir.Open(weights.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{modeldir.ManifestFile}
	for _, s := range md.Shards() {
		want = append(want, s.File)
	}
	if got := dirNames(t, out); !slices.Equal(got, want) {
		t.Errorf("after converting again: %v, want %v", got, want)
	}

	_, errOut, code := runCLI("convert", "--in", out, "--out", out)
	if code != 2 || !strings.Contains(errOut, "is the --in directory") {
		t.Errorf("--out the same as --in: exit %d, %q", code, errOut)
	}

	mixed := t.TempDir()
	os.WriteFile(filepath.Join(mixed, "notes.txt"), []byte("mine"), 0o644)
	_, errOut, code = runCLI("convert", "--in", tinyDir, "--out", mixed)
	if code != 1 || !strings.Contains(errOut, `holds "notes.txt", which is not part of a converted model: give a new or empty directory`) ||
		strings.Count(errOut, "\n") != 1 {
		t.Errorf("--out holding another file: exit %d, %q", code, errOut)
	}
	if got := dirNames(t, mixed); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("a refused conversion wrote %v", got)
	}
}

// dirNames lists a directory's file names, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestConvertToGGUF writes the tiny model as a GGUF file, which loads with
// the same logits (F32), and refuses a directory or --embed-quant.
func TestConvertToGGUF(t *testing.T) {
	ids := "50256,464,3139,7586,21831"
	want, errOut, code := runCLI("logits", "--model", tinyDir, "--ids", ids)
	if code != 0 {
		t.Fatal(errOut)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "tiny.gguf")
	res, errOut, code := runCLI("convert", "--in", tinyDir, "--out", out, "--quant", "f32")
	if code != 0 || !strings.Contains(res, `"from":"huggingface"`) {
		t.Fatalf("convert to GGUF: exit %d, %s %s", code, res, errOut)
	}
	got, errOut, code := runCLI("logits", "--model", out, "--ids", ids)
	if code != 0 || got != want {
		t.Errorf("logits from the GGUF file differ (exit %d, %s)", code, errOut)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"tiny.gguf"}) {
		t.Errorf("beside the GGUF file: %v", names)
	}
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", out, "--quant", "q4", "--embed-quant", "q8"); code != 2 || !strings.Contains(errOut, "--embed-quant") {
		t.Errorf("--embed-quant with a GGUF output: exit %d, %s", code, errOut)
	}
	if err := os.Mkdir(filepath.Join(dir, "d.gguf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", filepath.Join(dir, "d.gguf")); code != 1 || !strings.Contains(errOut, "is a directory") {
		t.Errorf("a directory named .gguf: exit %d, %s", code, errOut)
	}
}

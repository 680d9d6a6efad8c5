package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
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

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/weights"
)

// runCLI runs the command in-process and returns stdout, stderr and the status.
func runCLI(args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// tinyModel writes the spec's tiny seed-1 checkpoint once per test binary.
var tinyDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "phi2-cli")
	if err != nil {
		panic(err)
	}
	tinyDir = filepath.Join(dir, "tiny")
	os.Setenv("PHI2_CACHE", filepath.Join(dir, "cache")) // models fetched by URL
	if err := synth.Write(tinyDir, synth.Tiny()); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestTokenize(t *testing.T) {
	out, _, code := runCLI("tokenize", "--text", "def f():\n    return")
	if code != 0 || strings.TrimSpace(out) != "[4299,277,33529,198,50284,7783]" {
		t.Fatalf("tokenize: %q (exit %d)", out, code)
	}
	out, _, code = runCLI("detokenize", "--ids", "15496, 995")
	if code != 0 || out != "Hello world\n" {
		t.Fatalf("detokenize: %q (exit %d)", out, code)
	}
}

// TestTokenizeStdin: without --text the text is read from stdin, unless
// stdin is a terminal (a character device, as /dev/null is), where
// nothing would come: a usage error. An empty --text is no tokens.
func TestTokenizeStdin(t *testing.T) {
	defer func(r io.Reader) { stdin = r }(stdin)
	stdin = strings.NewReader("Hello world")
	if out, errOut, code := runCLI("tokenize"); code != 0 || out != "[15496,995]\n" {
		t.Errorf("from stdin: %q (exit %d) %s", out, code, errOut)
	}
	tty, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	stdin = tty
	if out, errOut, code := runCLI("tokenize"); code != 2 || !strings.Contains(errOut, "--text") {
		t.Errorf("stdin a terminal: exit %d, stdout %q, stderr %q; want a usage error", code, out, errOut)
	}
	if out, _, code := runCLI("tokenize", "--text", ""); code != 0 || out != "[]\n" {
		t.Errorf("--text \"\": %q (exit %d)", out, code)
	}
}

// TestLogits checks the spec's logits with each KV cache; an F16 cache
// moves them by a few 1e-4 on the tiny model, a KVQ8 one (on the cpu
// backend) by about 0.02.
func TestLogits(t *testing.T) {
	for _, c := range []struct {
		kv, backend string
		tol         float64
	}{{"f32", "auto", 1e-4}, {"f16", "auto", 5e-3}, {"q8", "cpu", 0.05}} {
		out, errOut, code := runCLI("logits", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831", "--kv-cache", c.kv, "--backend", c.backend)
		if code != 0 {
			t.Fatalf("--kv-cache %s: exit %d: %s", c.kv, code, errOut)
		}
		var res struct {
			Logits []float32 `json:"logits"`
			Argmax int       `json:"argmax"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		want := synth.KnownLogitsHead
		if len(res.Logits) != 51200 || res.Argmax != 49039 {
			t.Fatalf("--kv-cache %s: %d logits, argmax %d", c.kv, len(res.Logits), res.Argmax)
		}
		for i, w := range want {
			if math.Abs(float64(res.Logits[i]-w)) > c.tol {
				t.Fatalf("--kv-cache %s: logit %d = %v, want %v", c.kv, i, res.Logits[i], w)
			}
		}
	}
}

func TestGenerateJSON(t *testing.T) {
	out, errOut, code := runCLI("generate", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831",
		"--max-tokens", "16", "--ignore-eos", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res generateOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	ids, _ := json.Marshal(res.IDs)
	if string(ids) != "[49039,4997,39995,1982,26601,1426,33793,7339,20439,11729,12506,14252,9828,424,33820,27065]" ||
		res.PromptTokens != 5 || res.GeneratedTokens != 16 || res.Engine != "native" || (res.Backend != "cpu" && res.Backend != "webgpu") || res.Text == "" {
		t.Fatalf("unexpected result %s", out)
	}
}

// Every bad input ends with one line on stderr naming the problem.
func TestErrors(t *testing.T) {
	truncated := copyModel(t, func(dir string) {
		p := filepath.Join(dir, "model.safetensors")
		data, _ := os.ReadFile(p)
		os.WriteFile(p, data[:len(data)/2], 0o644)
	})
	garbage := copyModel(t, func(dir string) {
		os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("\x10\x00\x00\x00\x00\x00\x00\x00{not json at all"), 0o644)
	})
	disagree := copyModel(t, func(dir string) {
		p := filepath.Join(dir, "config.json")
		data, _ := os.ReadFile(p)
		os.WriteFile(p, bytes.Replace(data, []byte(`"num_hidden_layers": 2`), []byte(`"num_hidden_layers": 3`), 1), 0o644)
	})
	missing := rewriteModel(t, func(ts []weights.NamedTensor) []weights.NamedTensor {
		return ts[1:]
	})
	wrongShape := rewriteModel(t, func(ts []weights.NamedTensor) []weights.NamedTensor {
		for i := range ts {
			if ts[i].Name == "model.final_layernorm.bias" {
				ts[i].Shape = []int{32}
				ts[i].Data = ts[i].Data[:32*4]
			}
		}
		return ts
	})
	i64 := rewriteModel(t, func(ts []weights.NamedTensor) []weights.NamedTensor { return ts })
	patchFile(t, filepath.Join(i64, "model.safetensors"), `"model.final_layernorm.bias":{"dtype":"F32"`, `"model.final_layernorm.bias":{"dtype":"I32"`)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"logits", "--model", tinyDir, "--ids", "1", "--engine", "wasm"}, 2, `unknown engine "wasm"`},
		{[]string{"logits", "--model", tinyDir, "--ids", "1", "--backend", "simd"}, 2, `backend "simd" is not available`},
		{[]string{"logits", "--model", tinyDir, "--ids", "1,x"}, 2, `item 2 ("x")`},
		{[]string{"logits", "--model", tinyDir, "--ids", "51200"}, 1, "outside the vocabulary"},
		{[]string{"generate", "--model", tinyDir, "--ids", "1,2,3", "--context", "2"}, 1, "does not fit the context of 2 tokens"},
		{[]string{"generate", "--model", tinyDir, "--prompt", "x", "--top-p", "2"}, 2, "--top-p"},
		{[]string{"logits", "--model", tinyDir, "--ids", "1", "--kv-cache", "bf16"}, 2, `--kv-cache "bf16": want f32, f16 or q8`},
		{[]string{"logits", "--model", truncated, "--ids", "1"}, 1, "model.safetensors"},
		{[]string{"logits", "--model", garbage, "--ids", "1"}, 1, "model.safetensors"},
		{[]string{"logits", "--model", disagree, "--ids", "1"}, 1, "model.layers.2"},
		{[]string{"logits", "--model", t.TempDir(), "--ids", "1"}, 1, "config.json"},
		{[]string{"logits", "--model", missing, "--ids", "1"}, 1, "missing tensor"},
		{[]string{"logits", "--model", wrongShape, "--ids", "1"}, 1, "model.final_layernorm.bias"},
		{[]string{"logits", "--model", i64, "--ids", "1"}, 1, "I32"},
		{[]string{"detokenize", "--ids", "50295"}, 1, "50295"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	}
	for _, c := range cases {
		_, errOut, code := runCLI(c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("phi2 %s: exit %d, stderr %q; want exit %d and one line with %q", strings.Join(c.args, " "), code, errOut, c.code, c.want)
		}
	}
}

// copyModel copies the tiny model and lets change damage the copy.
func copyModel(t *testing.T, change func(dir string)) string {
	dir := t.TempDir()
	for _, name := range []string{"config.json", "model.safetensors"} {
		data, err := os.ReadFile(filepath.Join(tinyDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	change(dir)
	return dir
}

// rewriteModel copies the tiny model with its tensors passed through change
// (which receives them sorted by name).
func rewriteModel(t *testing.T, change func([]weights.NamedTensor) []weights.NamedTensor) string {
	ck, err := weights.Open(weights.Dir(tinyDir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	var ts []weights.NamedTensor
	for _, name := range ck.Names() {
		info, _ := ck.Info(name)
		data := make([]byte, info.Size)
		if err := ck.Read(name, data); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, weights.NamedTensor{Name: name, DType: info.DType, Shape: info.Shape, Data: data})
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	dir := copyModel(t, func(string) {})
	var buf bytes.Buffer
	if err := weights.WriteSafetensors(&buf, change(ts), map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// patchFile replaces old with new (of the same length) in a file.
func patchFile(t *testing.T, path, old, new string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != len(new) || !bytes.Contains(data, []byte(old)) {
		t.Fatalf("cannot patch %q in %s", old, path)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

//go:build !wasm

package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestWazeroGenerate: greedy generation through the wazero engine gives the
// spec's known tokens on both guest backends.
func TestWazeroGenerate(t *testing.T) {
	useGuest(t)
	for _, be := range []string{"simd", "cpu"} {
		out, errOut, code := runCLI("generate", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831",
			"--max-tokens", "16", "--ignore-eos", "--json", "--engine", "wazero", "--backend", be, "--threads", "2")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", be, code, errOut)
		}
		var res generateOutput
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%s: %v in %q", be, err, out)
		}
		ids, _ := json.Marshal(res.IDs)
		if string(ids) != "[49039,4997,39995,1982,26601,1426,33793,7339,20439,11729,12506,14252,9828,424,33820,27065]" ||
			res.Engine != "wazero" || res.Backend != be || res.GeneratedTokens != 16 || res.Text == "" {
			t.Errorf("%s: unexpected result %s", be, out)
		}
	}
}

// TestWazeroLogits: the wazero engine (simd by default) prints the JSON of
// the native engine, with logits within the kernels' tolerance.
func TestWazeroLogits(t *testing.T) {
	useGuest(t)
	args := []string{"logits", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831"}
	native, errOut, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("native: exit %d: %s", code, errOut)
	}
	wazero, errOut, code := runCLI(append(args, "--engine=wazero")...)
	if code != 0 {
		t.Fatalf("wazero: exit %d: %s", code, errOut)
	}
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal([]byte(native), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(wazero), &b); err != nil {
		t.Fatalf("%v in %q", err, wazero)
	}
	if !reflect.DeepEqual(slices.Sorted(mapKeys(a)), slices.Sorted(mapKeys(b))) || string(a["argmax"]) != string(b["argmax"]) {
		t.Fatalf("native %s…, wazero %s…", native[:80], wazero[:80])
	}
	var x, y []float32
	json.Unmarshal(a["logits"], &x)
	json.Unmarshal(b["logits"], &y)
	if len(x) != 51200 || len(y) != len(x) {
		t.Fatalf("%d and %d logits", len(x), len(y))
	}
	for i := range x {
		if math.Abs(float64(x[i]-y[i])) > 5e-4 {
			t.Fatalf("logit %d: native %v, wazero %v", i, x[i], y[i])
		}
	}
}

func mapKeys(m map[string]json.RawMessage) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestWazeroErrors: a missing guest says how to build it, a backend the
// engine lacks is a usage error, and the guest's own failures keep their
// exit status.
func TestWazeroErrors(t *testing.T) {
	useGuest(t)
	ids := []string{"logits", "--model", tinyDir, "--ids", "1", "--engine", "wazero"}
	if _, errOut, code := runCLI(append(ids, "--backend", "webgpu")...); code != 2 || !strings.Contains(errOut, `backend "webgpu" is not available on engine "wazero"`) {
		t.Errorf("--backend webgpu: exit %d, %q", code, errOut)
	}
	if _, _, code := runCLI("logits", "--model", t.TempDir(), "--ids", "1", "--engine", "wazero"); code != 1 {
		t.Errorf("a directory without a model: exit %d, want 1", code)
	}
	if _, _, code := runCLI("generate", "--model", tinyDir, "--ids", "1", "--engine", "wazero", "--top-p", "2"); code != 2 {
		t.Errorf("--top-p 2: exit %d, want 2", code)
	}
	t.Setenv("PHI2_WASM", filepath.Join(t.TempDir(), "phi2.wasm"))
	if _, errOut, code := runCLI(ids...); code != 1 || !strings.Contains(errOut, "run 'make build'") {
		t.Errorf("missing phi2.wasm: exit %d, %q", code, errOut)
	}
}

// TestDropFlags: the guest's arguments lose exactly the named flags and
// their values, in every spelling.
func TestDropFlags(t *testing.T) {
	fs := newFlags("generate")
	var ef engineFlags
	ef.register(fs)
	ef.registerThreads(fs)
	fs.Bool("json", false, "")
	fs.String("prompt", "", "")
	got := dropFlags(fs, []string{"--engine", "wazero", "-json", "--prompt", "--engine", "-threads=3",
		"--backend=simd", "--json=false", "-model", "m", "--threads", "4", "--", "--engine"}, "engine", "backend", "threads")
	want := []string{"-json", "--prompt", "--engine", "--json=false", "-model", "m", "--", "--engine"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestWazeroBench: the bench runs in the guest, on the baseline SIMD
// kernels (wazero has no relaxed SIMD) with the 8-bit KV cache, and reports
// the cache, the host's threads and the whole process's peak memory.
func TestWazeroBench(t *testing.T) {
	useGuest(t)
	out, errOut, code := runCLI("bench", "--engine", "wazero", "--shape", "tiny", "--layers", "1", "--quant", "q4",
		"--cache", t.TempDir(), "--prompt-tokens", "8", "--decode-tokens", "2", "--threads", "2", "--kv-cache", "q8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r benchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Engine != "wazero" || r.Backend != "simd" || r.SIMDKernels != "simd" || r.Threads != 2 || r.Model != "tiny-L1-q4" || r.KVCache != "q8" ||
		r.PromptTPS <= 0 || r.Decode128 <= 0 || r.Decode2048 <= 0 || r.PeakRSSMB <= 0 {
		t.Fatalf("unexpected result %s", out)
	}
}

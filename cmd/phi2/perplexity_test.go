//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

func TestWindows(t *testing.T) {
	for _, c := range [][3]int{{2, 16, 8}, {17, 16, 8}, {100, 16, 8}, {100, 16, 16}, {100, 16, 1}, {33, 32, 5}} {
		n, window, stride := c[0], c[1], c[2]
		seen := make([]int, n)
		for _, w := range windows(n, window, stride) {
			if w.end-w.begin > window || w.score <= w.begin || w.score > w.end {
				t.Fatalf("n %d window %d stride %d: bad span %+v", n, window, stride, w)
			}
			for i := w.score; i < w.end; i++ {
				seen[i]++
			}
		}
		for i := 1; i < n; i++ {
			if seen[i] != 1 {
				t.Fatalf("n %d window %d stride %d: token %d scored %d times", n, window, stride, i, seen[i])
			}
		}
	}
}

const perplexityText = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i := 0; i < 10; i++ {\n\t\tfmt.Println(i * i)\n\t}\n}\n"

// TestPerplexity checks the command against the definition, computed
// position by position on fresh sessions, and the wazero and Chromium
// engines against the native one.
func TestPerplexity(t *testing.T) {
	file := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(file, []byte(perplexityText), 0o644); err != nil {
		t.Fatal(err)
	}
	got := perplexityOf(t, "perplexity", "--model", tinyDir, "--file", file)
	want, n := directNLL(t)
	if got.Backend != "cpu" && got.Backend != "webgpu" {
		t.Errorf("perplexity reports backend %q, not the one that computed", got.Backend)
	}
	if got.Tokens != n || math.Abs(got.NLL-want) > 1e-4 || math.Abs(got.Perplexity-math.Exp(want)) > 1e-3*math.Exp(want) {
		t.Errorf("perplexity: %+v; by definition %d tokens, nll %.6f", got, n, want)
	}
	// A window of 16 moved by 8 sees less context, so it scores worse or
	// differently, but the same tokens.
	small := perplexityOf(t, "perplexity", "--model", tinyDir, "--file", file, "--context", "16", "--stride", "8")
	if small.Tokens != n || small.NLL == got.NLL || math.IsNaN(small.NLL) {
		t.Errorf("sliding window: %+v, full context %+v", small, got)
	}
	useGuest(t)
	useJSGuest(t)
	for _, engine := range []string{"wazero", "chromium"} {
		other := perplexityOf(t, "perplexity", "--model", tinyDir, "--file", file, "--engine", engine, "--backend", "simd")
		if other.Tokens != n || math.Abs(other.NLL-got.NLL) > 1e-3 || other.Backend != "simd" {
			t.Errorf("%s %+v, native %+v", engine, other, got)
		}
	}
}

func perplexityOf(t *testing.T, args ...string) perplexityOutput {
	t.Helper()
	out, errOut, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	var r perplexityOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %v: %q", args, err, out)
	}
	return r
}

// directNLL is the mean -log p(token | all before it), each from a fresh
// session's last logits.
func directNLL(t *testing.T) (float64, int) {
	tok, err := tokenizer.New()
	if err != nil {
		t.Fatal(err)
	}
	ids := tok.Encode(perplexityText)
	var m *phi2.Model
	err = load.Open(context.Background(), tinyDir, load.Options{}, func(src *load.Model) (err error) {
		m, err = phi2.Load(src, cpu.New(), phi2.Options{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	logits := make([]float32, m.Config.VocabSize)
	var sum float64
	for i := 1; i < len(ids); i++ {
		s, err := m.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Feed(ids[:i]); err == nil {
			err = s.Logits(logits)
		}
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		var z float64
		for _, v := range logits {
			z += math.Exp(float64(v))
		}
		sum += math.Log(z) - float64(logits[ids[i]])
	}
	return sum / float64(len(ids)-1), len(ids) - 1
}

package phi2web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// tiny writes the tiny synthetic checkpoint with a 2048-token vocabulary
// as a Hugging Face directory and its Q8 conversion, and returns both.
func tiny(t *testing.T) (hf, q8 string) {
	t.Helper()
	o := synth.Tiny()
	o.Vocab = 2048
	hf, q8 = filepath.Join(t.TempDir(), "hf"), filepath.Join(t.TempDir(), "q8")
	if err := synth.Write(hf, o); err != nil {
		t.Fatal(err)
	}
	err := load.Open(context.Background(), hf, load.Options{}, func(m *load.Model) error {
		return convert.Run(m, q8, convert.Options{Quant: tensor.Q8})
	})
	if err != nil {
		t.Fatal(err)
	}
	return hf, q8
}

func open(t *testing.T, ref string, o phi2web.Options) *phi2web.Model {
	t.Helper()
	m, err := phi2web.Open(context.Background(), ref, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

var greedy = generate.Options{MaxTokens: 6, EOS: -1}

// A generation that continues the last one (a conversation's next turn)
// computes only what is new, and makes what a fresh model makes.
func TestGenerateContinues(t *testing.T) {
	hf, _ := tiny(t)
	m := open(t, hf, phi2web.Options{Backend: "cpu"})
	if m.Backend() != "cpu" || m.Fallback() != "" || m.Info().Format != load.HuggingFace {
		t.Fatalf("backend %q, fallback %q, info %+v", m.Backend(), m.Fallback(), m.Info())
	}
	first, err := m.Generate(context.Background(), []int32{5, 6, 7}, greedy, nil)
	if err != nil || len(first.IDs) != greedy.MaxTokens {
		t.Fatalf("first turn: %+v, %v", first, err)
	}
	turn := append([]int32{5, 6, 7}, first.IDs...)
	turn = append(turn, 9, 10)
	var streamed []int32
	next, err := m.Generate(context.Background(), turn, greedy, func(e generate.Event) error {
		streamed = append(streamed, e.ID)
		return nil
	})
	if err != nil || !slices.Equal(streamed, next.IDs) || next.PromptTokens != len(turn) {
		t.Fatalf("next turn: %+v (streamed %v), %v", next, streamed, err)
	}
	fresh := open(t, hf, phi2web.Options{Backend: "cpu"})
	want, err := fresh.Generate(context.Background(), turn, greedy, nil)
	if err != nil || !slices.Equal(next.IDs, want.IDs) {
		t.Errorf("continued %v, fresh %v (%v)", next.IDs, want.IDs, err)
	}
	if m.Pos() != len(turn)+len(next.IDs)-1 {
		t.Errorf("the session holds %d tokens, want %d", m.Pos(), len(turn)+len(next.IDs)-1)
	}
}

// Logits start afresh whatever the session held, and agree with the last
// position of a generation's prompt.
func TestLogits(t *testing.T) {
	_, q8 := tiny(t)
	m := open(t, q8, phi2web.Options{})
	if m.Info().Quant != "q8" || m.Info().StoredBytes <= 0 {
		t.Errorf("info %+v, want q8 with its stored bytes", m.Info())
	}
	a := make([]float32, m.Config().VocabSize)
	b := make([]float32, len(a))
	if err := m.Logits([]int32{1, 2, 3}, a); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Generate(context.Background(), []int32{9, 9}, greedy, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Logits([]int32{1, 2, 3}, b); err != nil || !slices.Equal(a, b) {
		t.Errorf("logits after a generation differ (%v)", err)
	}
}

func TestRefusals(t *testing.T) {
	hf, _ := tiny(t)
	ctx := context.Background()
	for _, o := range []phi2web.Options{{Backend: "cuda"}, {KVCache: "f8"}, {Backend: "simd"}} {
		if m, err := phi2web.Open(ctx, hf, o); err == nil {
			m.Close()
			t.Errorf("Open with %+v accepted", o)
		}
	}
	if _, err := phi2web.Open(ctx, hf, phi2web.Options{Backend: "simd"}); !errors.Is(err, phi2web.ErrBackend) {
		t.Errorf("simd natively: %v, want ErrBackend", err)
	}
	if _, err := phi2web.Open(ctx, hf, phi2web.Options{Quant: "q3"}); !errors.Is(err, load.ErrQuant) {
		t.Errorf("quant q3: %v, want ErrQuant", err)
	}
	m := open(t, hf, phi2web.Options{Context: 8})
	_, err := m.Generate(ctx, make([]int32, 9), greedy, nil)
	var full *phi2web.ContextFullError
	if !errors.As(err, &full) || full.Tokens != 9 || full.Context != 8 {
		t.Errorf("9 tokens in a context of 8: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	res, err := m.Generate(cancelled, []int32{1, 2}, greedy, nil)
	if err != nil || res.StopReason != generate.StopCancelled {
		t.Errorf("cancelled: %+v, %v", res, err)
	}
}

// A model URL goes through the store and loads from it offline.
func TestStoredURL(t *testing.T) {
	_, q8 := tiny(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(q8)))
	st := store.Mem()
	var phases []string
	o := phi2web.Options{Store: st, Progress: func(p load.Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}}
	m := open(t, srv.URL, o)
	if m.Info().Key != srv.URL+"/" || !slices.Contains(phases, load.PhaseDownload) || phases[len(phases)-1] != load.PhaseReady {
		t.Errorf("key %q, phases %q", m.Info().Key, phases)
	}
	srv.Close()
	offline := open(t, srv.URL, o)
	if got, want := offline.Config(), m.Config(); got != want {
		t.Errorf("offline config %+v, want %+v", got, want)
	}
	o.InPlace = true
	if m, err := phi2web.Open(context.Background(), srv.URL, o); err == nil {
		m.Close()
		t.Error("in place with the server gone: loaded")
	}
}

// KVCache names the cache a model computes with: the one asked for, else
// F16.
func TestKVCacheInUse(t *testing.T) {
	_, q8 := tiny(t)
	for asked, want := range map[string]string{"": "f16", "F32": "f32", "q8": "q8"} {
		if got := open(t, q8, phi2web.Options{Backend: "cpu", KVCache: asked}).KVCache(); got != want {
			t.Errorf("KVCache %q: the model computes with %q, want %q", asked, got, want)
		}
	}
}

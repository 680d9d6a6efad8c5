//go:build (js && wasm) || (cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import (
	"math"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/phi2/phi2test"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// loadTiny loads the spec's tiny checkpoint (seed 1) of dt on be.
func loadTiny(t *testing.T, dt tensor.DType, be backend.Backend, o phi2.Options) *phi2.Model {
	t.Helper()
	so := synth.Tiny()
	so.DType = dt
	mem, err := synth.Memory(so)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	m, err := phi2.Load(ck, be, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); be.Close() })
	return m
}

func session(t *testing.T, m *phi2.Model) *phi2.Session {
	t.Helper()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestKnownValues: the spec's logits (≤ 1e-3) and 16 greedy tokens (exact)
// of the tiny model, computed on the GPU.
func TestKnownValues(t *testing.T) {
	m := loadTiny(t, tensor.F32, newOrFail(t, Options{}), phi2.Options{})
	s := session(t, m)
	if err := s.Feed(synth.KnownPrompt); err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, m.Config.VocabSize)
	if err := s.Logits(logits); err != nil {
		t.Fatal(err)
	}
	for i, want := range synth.KnownLogitsHead {
		if d := math.Abs(float64(logits[i] - want)); d > 1e-3 {
			t.Errorf("logit %d = %v, want %v", i, logits[i], want)
		}
	}
	s.Reset()
	var got []int32
	ids := synth.KnownPrompt
	for range synth.KnownGreedy {
		if err := s.Feed(ids); err != nil {
			t.Fatal(err)
		}
		id, err := s.Argmax()
		if err != nil {
			t.Fatal(err)
		}
		got, ids = append(got, id), []int32{id}
	}
	for i := range got {
		if got[i] != synth.KnownGreedy[i] {
			t.Fatalf("greedy tokens %v, want %v", got, synth.KnownGreedy)
		}
	}
}

// TestMatchesReference compares every position's logits with the pure-Go
// backend over a 40-token prompt fed in chunks of 7 (prefill) and then
// token by token (decode), for F16 weights with F32, F16 and KVQ8 caches
// (the F16 one with decode attention split over the keys; KVQ8 caches hold
// the same bytes on both, so only rounding order differs).
func TestMatchesReference(t *testing.T) {
	prompt := make([]int32, 40)
	for i := range prompt {
		prompt[i] = int32((i*7919 + 11) % 1000)
	}
	for _, kv := range []tensor.DType{tensor.F32, tensor.F16, tensor.KVQ8} {
		t.Run(kv.String(), func(t *testing.T) {
			o := phi2.Options{MaxBatch: 7, KVCache: kv}
			gpu := loadTiny(t, tensor.F16, newOrFail(t, Options{attnSplitMin: map[tensor.DType]int{tensor.F16: 8}[kv]}), o)
			ref := loadTiny(t, tensor.F16, cpu.New(), o)
			gs, rs := session(t, gpu), session(t, ref)
			vocab := gpu.Config.VocabSize
			got, want := make([]float32, len(prompt)*vocab), make([]float32, len(prompt)*vocab)
			if err := gs.FeedAll(prompt[:30], got[:30*vocab]); err != nil {
				t.Fatal(err)
			}
			if err := rs.FeedAll(prompt[:30], want[:30*vocab]); err != nil {
				t.Fatal(err)
			}
			for i := 30; i < len(prompt); i++ {
				for _, c := range []struct {
					s   *phi2.Session
					out []float32
				}{{gs, got}, {rs, want}} {
					if err := c.s.Feed(prompt[i : i+1]); err != nil {
						t.Fatal(err)
					}
					if err := c.s.Logits(c.out[i*vocab : (i+1)*vocab]); err != nil {
						t.Fatal(err)
					}
				}
			}
			worst := 0.0
			for i := range got {
				worst = max(worst, math.Abs(float64(got[i]-want[i])))
			}
			if worst > 1e-3 {
				t.Errorf("max |Δ| over %d positions = %.3g, want ≤ 1e-3", len(prompt), worst)
			}
			t.Logf("max |Δ| = %.3g", worst)
		})
	}
}

// TestMirror runs the tiny model on the GPU and the reference side by side
// and names the first op that differs.
func TestMirror(t *testing.T) {
	mb := &mirror{a: newOrFail(t, Options{}), b: cpu.New()}
	m := loadTiny(t, tensor.F32, mb, phi2.Options{MaxBatch: 4})
	s := session(t, m)
	if err := s.Feed(synth.KnownPrompt); err != nil {
		t.Fatal(err)
	}
	if err := s.Feed([]int32{42}); err != nil {
		t.Fatal(err)
	}
	if mb.first != "" {
		t.Fatalf("first difference after %d ops: %s", mb.ops, mb.first)
	}
}

// TestOneSubmissionPerToken: a decode step is one queue submission, with
// gelu folded into its MatMul: 13 dispatches per layer and 4 more (embed,
// final LayerNorm, head, argmax).
func TestOneSubmissionPerToken(t *testing.T) {
	b := newOrFail(t, Options{})
	m := loadTiny(t, tensor.F32, b, phi2.Options{})
	s := session(t, m)
	if err := s.Feed(synth.KnownPrompt); err != nil {
		t.Fatal(err)
	}
	id, err := s.Argmax()
	if err != nil {
		t.Fatal(err)
	}
	before := b.Stats()
	if err := s.Feed([]int32{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Argmax(); err != nil {
		t.Fatal(err)
	}
	after := b.Stats()
	layers := m.Config.NumLayers
	if got, want := after.Dispatches-before.Dispatches, 13*layers+4; got != want {
		t.Errorf("a decode step took %d dispatches, want %d for %d layers", got, want, layers)
	}
	if got := after.Submissions - before.Submissions; got != 1 {
		t.Errorf("a decode step took %d submissions, want 1", got)
	}
}

// TestGoldens runs every case of the independent reference
// (testdata/goldens) on the GPU: logits within 1e-3, greedy tokens exact.
func TestGoldens(t *testing.T) {
	phi2test.Goldens(t, "../testdata/goldens/goldens.json", perCheck(t, Options{}), 1e-3)
}

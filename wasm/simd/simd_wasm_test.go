package simd_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/backend/backendtest"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/phi2/phi2test"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
	"github.com/phi2web/phi2web/wasm/simd"
)

// These tests need the host functions of wasm/host: run them with
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "$PWD/build/wasmexec" ./wasm/simd

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend { return simd.New() })
}

// tolerance for float32 logits of the tiny models on the SIMD kernels.
const tolerance = 5e-4

// The spec's known values: seed 1, default tiny shape.
var (
	knownPrompt = synth.KnownPrompt
	knownHead   = synth.KnownLogitsHead
	knownGreedy = synth.KnownGreedy
)

// load writes checkpoint o to a temporary directory and loads it on a new
// simd backend.
func load(t testing.TB, o synth.Options, po phi2.Options) *phi2.Model {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	if err := synth.Write(dir, o); err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	be := simd.New()
	m, err := phi2.Load(ck, be, po)
	if err != nil {
		be.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); be.Close() })
	return m
}

// An F16 KV cache, through copy_f16 and attention_f16, keeps the known
// greedy tokens, with logits within 5e-3 of the F32 ones.
func TestF16CacheKnownTokens(t *testing.T) {
	m := load(t, synth.Tiny(), phi2.Options{KVCache: tensor.F16})
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := greedy(t, s, knownPrompt, len(knownGreedy)); !equal(got, knownGreedy) {
		t.Errorf("greedy %v, want %v", got, knownGreedy)
	}
	s.Reset()
	logits := make([]float32, m.Config.VocabSize)
	if err := s.Feed(knownPrompt); err != nil {
		t.Fatal(err)
	}
	if err := s.Logits(logits); err != nil {
		t.Fatal(err)
	}
	for i, want := range knownHead {
		if d := math.Abs(float64(logits[i] - want)); d > 5e-3 {
			t.Errorf("logit %d = %.8f, want %.8f within 5e-3", i, logits[i], want)
		}
	}
}

// A KVQ8 cache, through copy_kvq8 and attention_kvq8, keeps the known
// greedy tokens, with logits within 0.05 of the F32 ones (the bound of
// runtime/phi2's kvq8CacheTolerance).
func TestKVQ8CacheKnownTokens(t *testing.T) {
	m := load(t, synth.Tiny(), phi2.Options{KVCache: tensor.KVQ8})
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := greedy(t, s, knownPrompt, len(knownGreedy)); !equal(got, knownGreedy) {
		t.Errorf("greedy %v, want %v", got, knownGreedy)
	}
	s.Reset()
	logits := make([]float32, m.Config.VocabSize)
	if err := s.Feed(knownPrompt); err != nil {
		t.Fatal(err)
	}
	if err := s.Logits(logits); err != nil {
		t.Fatal(err)
	}
	for i, want := range knownHead {
		if d := math.Abs(float64(logits[i] - want)); d > 0.05 {
			t.Errorf("logit %d = %.8f, want %.8f within 0.05", i, logits[i], want)
		}
	}
}

func TestKnownTokens(t *testing.T) {
	m := load(t, synth.Tiny(), phi2.Options{})
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Feed(knownPrompt); err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, m.Config.VocabSize)
	if err := s.Logits(logits); err != nil {
		t.Fatal(err)
	}
	for i, want := range knownHead {
		if math.Abs(float64(logits[i]-want)) > tolerance {
			t.Errorf("logit %d = %.8f, want %.8f", i, logits[i], want)
		}
	}
	s.Reset()
	if got := greedy(t, s, knownPrompt, len(knownGreedy)); !equal(got, knownGreedy) {
		t.Errorf("greedy %v, want %v", got, knownGreedy)
	}
}

// TestGoldens runs every case of the independent reference
// (testdata/goldens) on the SIMD kernels.
func TestGoldens(t *testing.T) {
	phi2test.Goldens(t, "../../testdata/goldens/goldens.json",
		func(t *testing.T) backend.Backend { return simd.New() }, tolerance)
}

// greedy feeds prompt and then n argmax tokens, returning them.
func greedy(t *testing.T, s *phi2.Session, prompt []int32, n int) []int32 {
	t.Helper()
	return phi2test.Greedy(t, s, prompt, n)
}

// argmax is the lowest index of the largest value.
func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkDecode measures one cached decode step of the tiny model after
// a 128-token prompt, as runtime/phi2's benchmark of the same name does.
func BenchmarkDecode(b *testing.B) {
	o := synth.Tiny()
	m := load(b, o, phi2.Options{MaxContext: 1024})
	s, err := m.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	prompt := make([]int32, 128)
	for i := range prompt {
		prompt[i] = int32((i*7919 + 13) % o.Vocab)
	}
	for b.Loop() {
		if s.Pos() == 0 || s.Pos() >= m.MaxContext() {
			b.StopTimer()
			s.Reset()
			if err := s.Feed(prompt); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if err := s.Feed([]int32{7}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Argmax(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

//go:build cgo && !js && (linux || darwin || windows) && (amd64 || arm64)

package webgpu

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// TestProfile: a profiled decode step times each of its dispatches on the
// GPU, under its kernel's name, and computes what an unprofiled one does.
func TestProfile(t *testing.T) {
	b := newOrFail(t, Options{Profile: true})
	if !slices.Contains(b.Adapter().Features, "timestamp-query") {
		t.Fatalf("adapter %s has no timestamp queries; the profile cannot be tested here", b.Adapter())
	}
	m := loadTiny(t, tensor.F32, b, phi2.Options{})
	s := session(t, m)
	if err := s.Feed(synth.KnownPrompt); err != nil {
		t.Fatal(err)
	}
	id, err := s.Argmax()
	if err != nil {
		t.Fatal(err)
	}
	b.ResetProfile()
	before := b.Stats()
	if err := s.Feed([]int32{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Argmax(); err != nil {
		t.Fatal(err)
	}
	dispatches, count := b.Stats().Dispatches-before.Dispatches, 0
	var matmul bool
	for _, k := range b.Profile() {
		count += k.Count
		matmul = matmul || strings.HasPrefix(k.Kernel, "matmul_f32")
		if k.Total < 0 || k.Count <= 0 {
			t.Errorf("%+v", k)
		}
	}
	if count != dispatches || !matmul {
		t.Errorf("profile counts %d dispatches (matmul among them: %v), the step made %d: %+v", count, matmul, dispatches, b.Profile())
	}
	plain := newOrFail(t, Options{})
	if want := knownArgmax(t, plain); id != want {
		t.Errorf("profiled argmax %d, plain %d", id, want)
	}
}

// knownArgmax is the argmax after the known prompt on b.
func knownArgmax(t *testing.T, b *Backend) int32 {
	s := session(t, loadTiny(t, tensor.F32, b, phi2.Options{}))
	if err := s.Feed(synth.KnownPrompt); err != nil {
		t.Fatal(err)
	}
	id, err := s.Argmax()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestLongSubmission: a Phi-2-wide layer over a 64-token prompt, one
// submission that runs for seconds on a software adapter, gives the
// pure-Go backend's logits. (This wgpu-native's blocking poll gave up after
// 5 s and resolved the readback early, with zeros, or freed what the work
// still used; the driver polls without blocking.)
func TestLongSubmission(t *testing.T) {
	so := synth.Phi2()
	so.Layers, so.Vocab, so.DType = 1, 1024, tensor.F32
	mem, err := synth.Memory(so)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int32, 64)
	for i := range ids {
		ids[i] = int32(i + 1)
	}
	var logits [2][]float32
	for i, be := range []backend.Backend{newOrFail(t, Options{SkipSelfTest: true}), cpu.New()} {
		ck, err := weights.Open(mem)
		if err != nil {
			t.Fatal(err)
		}
		m, err := phi2.Load(ck, be, phi2.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		logits[i] = make([]float32, so.Vocab)
		start := time.Now()
		if err := s.Feed(ids); err == nil {
			err = s.Logits(logits[i])
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", be.Name(), time.Since(start))
		s.Close()
		m.Close()
		be.Close()
	}
	for j := range logits[0] {
		if d := math.Abs(float64(logits[0][j] - logits[1][j])); d > 1e-3 {
			t.Fatalf("logit %d = %v, the reference gives %v", j, logits[0][j], logits[1][j])
		}
	}
}

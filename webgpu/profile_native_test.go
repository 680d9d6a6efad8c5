//go:build cgo && !js && (linux || darwin || windows) && (amd64 || arm64)

package webgpu

import (
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
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

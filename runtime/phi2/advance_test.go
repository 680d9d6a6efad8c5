package phi2

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Advance writes the rows it skips with the scratch's keys and values, a
// batch at a time, so a benchmark's long context reads written memory.
func TestAdvanceFillsCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	if err := synth.Write(dir, synth.Tiny()); err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	be := cpu.New(cpu.WithWorkers(1))
	defer be.Close()
	m, err := Load(ck, be, Options{MaxBatch: 4, MaxContext: 32})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Feed([]int32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(10); err != nil { // positions 3 to 12
		t.Fatal(err)
	}
	d := m.Config.HiddenSize
	layer := len(s.k) - 1
	for _, c := range []struct {
		name         string
		cache, batch []float32
	}{{"keys", readAll(t, m, s.k[layer]), readAll(t, m, s.store.k)}, {"values", readAll(t, m, s.v[layer]), readAll(t, m, s.store.v)}} {
		if slices.Equal(c.batch, make([]float32, len(c.batch))) {
			t.Fatalf("%s: the scratch holds zeros after a feed", c.name)
		}
		for p := 3; p < 13; p++ {
			row := (p - 3) % 4
			if !slices.Equal(c.cache[p*d:(p+1)*d], c.batch[row*d:(row+1)*d]) {
				t.Errorf("%s: cache row %d is not scratch row %d", c.name, p, row)
			}
		}
	}
	if s.Pos() != 13 {
		t.Errorf("Pos() = %d after 3 tokens and Advance(10), want 13", s.Pos())
	}
}

// readAll reads an F32 tensor of m's backend.
func readAll(t *testing.T, m *Model, x backend.Tensor) []float32 {
	t.Helper()
	out := make([]float32, x.Rows()*x.Cols())
	if err := m.be.Read(x, out); err != nil {
		t.Fatal(err)
	}
	return out
}

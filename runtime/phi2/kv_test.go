package phi2_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/phi2/phi2test"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/weights"
)

func sequence(n, vocab int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32((i*7919 + 13) % vocab)
	}
	return ids
}

// Decoding one token at a time through the cache, and prefilling in chunks,
// must give every position the logits of one full causal forward.
func TestCacheEqualsRecompute(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 1000
	ids := sequence(45, o.Vocab)
	full := make([]float32, len(ids)*o.Vocab)
	whole := newSession(t, load(t, o, phi2.Options{MaxBatch: len(ids)}))
	if err := whole.FeedAll(ids, full); err != nil {
		t.Fatal(err)
	}

	m := load(t, o, phi2.Options{MaxBatch: 7})
	step := newSession(t, m)
	got := make([]float32, o.Vocab)
	for p, id := range ids {
		if err := step.Feed([]int32{id}); err != nil {
			t.Fatal(err)
		}
		if err := step.Logits(got); err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(got, full[p*o.Vocab:(p+1)*o.Vocab]); d > tolerance {
			t.Fatalf("position %d: cached decode differs from recompute by %.3g", p, d)
		}
	}

	chunked := newSession(t, m)
	all := make([]float32, len(full))
	if err := chunked.FeedAll(ids[:20], all[:20*o.Vocab]); err != nil {
		t.Fatal(err)
	}
	if err := chunked.FeedAll(ids[20:], all[20*o.Vocab:]); err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(all, full); d > tolerance {
		t.Fatalf("chunked prefill differs from one pass by %.3g", d)
	}
}

func TestContextLimit(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 300
	m := load(t, o, phi2.Options{MaxContext: 8})
	s := newSession(t, m)
	err := s.Feed(sequence(9, o.Vocab))
	if !errors.Is(err, phi2.ErrContextFull) || !strings.Contains(err.Error(), "context of 8 tokens") {
		t.Fatalf("feeding 9 tokens into 8: err = %v", err)
	}
	if s.Pos() != 0 {
		t.Fatalf("a refused feed moved the session to %d", s.Pos())
	}
	if err := s.Feed(sequence(8, o.Vocab)); err != nil {
		t.Fatal(err)
	}
	if err := s.Feed([]int32{1}); !errors.Is(err, phi2.ErrContextFull) {
		t.Fatalf("feeding past a full cache: err = %v", err)
	}
}

func TestBadIDs(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 300
	s := newSession(t, load(t, o, phi2.Options{}))
	for _, ids := range [][]int32{{1, 300}, {-1}, {}} {
		if err := s.Feed(ids); err == nil {
			t.Errorf("Feed(%v) succeeded", ids)
		}
	}
	if _, err := s.Argmax(); err == nil {
		t.Error("Argmax before any feed succeeded")
	}
}

// TestSizedByContextUsed: the rotary table and the KV cache take the
// context asked for, not the largest the config allows; a cache that does
// not fit the backend's memory is an error that says so.
func TestSizedByContextUsed(t *testing.T) {
	o := synth.Tiny()
	o.Vocab, o.MaxPositions = 300, int(weights.MaxContext.Max)
	m := phi2test.Load(t, o, cpu.New(cpu.WithMemoryLimit(64<<20)), phi2.Options{MaxContext: 16})
	if m.MaxContext() != 16 {
		t.Fatalf("context %d, want 16", m.MaxContext())
	}
	newSession(t, m)

	full := phi2test.Load(t, o, cpu.New(cpu.WithMemoryLimit(64<<20)), phi2.Options{})
	_, err := full.NewSession()
	if err == nil || !strings.Contains(err.Error(), "F32 KV cache for 1048576 positions (1024 MiB)") ||
		!strings.Contains(err.Error(), "more than the 64.0 MiB limit") {
		t.Fatalf("a cache past the memory limit: %v", err)
	}
	t.Log(err)
}

package phi2_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
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

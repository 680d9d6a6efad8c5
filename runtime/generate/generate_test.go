package generate_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
)

// The spec's tiny model (seed 1) and its 16 greedy tokens after this prompt.
var (
	prompt      = synth.KnownPrompt
	knownGreedy = synth.KnownGreedy
)

func setup(t *testing.T, maxContext int) (*phi2.Session, *tokenizer.Tokenizer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := synth.Write(dir, synth.Tiny()); err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	be := cpu.New()
	m, err := phi2.Load(ck, be, phi2.Options{MaxContext: maxContext})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close(); be.Close() })
	tok, err := tokenizer.New()
	if err != nil {
		t.Fatal(err)
	}
	return s, tok
}

// collect runs a generation on a fresh session and returns the result and
// the streamed text.
func collect(t *testing.T, s *phi2.Session, tok *tokenizer.Tokenizer, o generate.Options) (generate.Result, string) {
	t.Helper()
	s.Reset()
	var streamed strings.Builder
	res, err := generate.Run(context.Background(), s, tok, prompt, o, func(e generate.Event) error {
		streamed.WriteString(e.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, streamed.String()
}

func TestGreedyStreamsLosslessText(t *testing.T) {
	s, tok := setup(t, 0)
	res, streamed := collect(t, s, tok, generate.Options{MaxTokens: 16, EOS: 50256})
	if !equal(res.IDs, knownGreedy) || res.StopReason != generate.StopMaxTokens {
		t.Fatalf("ids %v (%s), want %v", res.IDs, res.StopReason, knownGreedy)
	}
	want, err := tok.Decode(knownGreedy)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != want || streamed != want {
		t.Fatalf("text %q, streamed %q, want %q", res.Text, streamed, want)
	}
	if res.PromptTokens != len(prompt) || res.TimeToFirst <= 0 || res.TokensPerSecond <= 0 {
		t.Fatalf("timings not reported: %+v", res)
	}
}

func TestStopString(t *testing.T) {
	s, tok := setup(t, 0)
	full, _ := tok.Decode(knownGreedy)
	stop := full[10:14] // spans a token boundary in this text
	res, streamed := collect(t, s, tok, generate.Options{MaxTokens: 16, EOS: -1, Stop: []string{"never", stop}})
	if res.StopReason != generate.StopString || res.Text != full[:10] || streamed != full[:10] {
		t.Fatalf("stop %q: reason %s, text %q, streamed %q, want %q", stop, res.StopReason, res.Text, streamed, full[:10])
	}
}

func TestEOS(t *testing.T) {
	s, tok := setup(t, 0)
	eos := knownGreedy[2]
	res, _ := collect(t, s, tok, generate.Options{MaxTokens: 16, EOS: eos})
	if res.StopReason != generate.StopEOS || !equal(res.IDs, knownGreedy[:3]) {
		t.Fatalf("eos %d: reason %s, ids %v", eos, res.StopReason, res.IDs)
	}
	res, _ = collect(t, s, tok, generate.Options{MaxTokens: 16, EOS: eos, IgnoreEOS: true})
	if len(res.IDs) != 16 {
		t.Fatalf("ignore-eos stopped after %d tokens", len(res.IDs))
	}
}

func TestContextEndsGeneration(t *testing.T) {
	s, tok := setup(t, 8)
	res, _ := collect(t, s, tok, generate.Options{EOS: -1})
	if res.StopReason != generate.StopContext || !equal(res.IDs, knownGreedy[:4]) {
		t.Fatalf("reason %s, ids %v; want context after 4 tokens", res.StopReason, res.IDs)
	}
	s.Reset()
	long := make([]int32, 9)
	if _, err := generate.Run(context.Background(), s, tok, long, generate.Options{}, nil); err == nil {
		t.Fatal("a prompt longer than the context was accepted")
	}
}

func TestCancel(t *testing.T) {
	s, tok := setup(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	res, err := generate.Run(ctx, s, tok, prompt, generate.Options{MaxTokens: 16, EOS: -1}, func(generate.Event) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	})
	if err != nil || res.StopReason != generate.StopCancelled || len(res.IDs) != 2 {
		t.Fatalf("err %v, reason %s, %d tokens; want cancelled after 2", err, res.StopReason, len(res.IDs))
	}
}

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

// TestContinuedSessionPenalty: a session that already holds the start of
// the prompt, continued with Before set, samples what a fresh session fed
// the whole prompt does, repeat penalty included.
func TestContinuedSessionPenalty(t *testing.T) {
	s, tok := setup(t, 0)
	o := generate.Options{MaxTokens: 12, EOS: -1}
	o.Sample.Temperature, o.Sample.RepeatPenalty, o.Sample.Seed = 0.9, 1.8, 5
	want, _ := collect(t, s, tok, o)

	s.Reset()
	if err := s.Feed(prompt[:3]); err != nil {
		t.Fatal(err)
	}
	o.Before = prompt[:3]
	got, err := generate.Run(context.Background(), s, tok, prompt[3:], o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.IDs, want.IDs) {
		t.Errorf("continued session: %v, fresh session: %v", got.IDs, want.IDs)
	}
	s.Reset()
	if err := s.Feed(prompt[:3]); err != nil {
		t.Fatal(err)
	}
	o.Before = nil
	// Without Before the penalty misses the first tokens: this case is
	// chosen so that it changes what is sampled.
	if without, _ := generate.Run(context.Background(), s, tok, prompt[3:], o, nil); slices.Equal(without.IDs, want.IDs) {
		t.Errorf("without Before the tokens are the same (%v): the case does not test the penalty's history", without.IDs)
	}
}

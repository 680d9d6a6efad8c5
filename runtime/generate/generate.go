// Package generate runs the token loop: prefill the prompt, then sample and
// feed one token at a time, streaming text through a callback until the end
// of text, a stop string, the token limit or cancellation.
package generate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/sample"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// Options control one generation.
type Options struct {
	MaxTokens int            // generated tokens at most; 0 means until the context is full
	Sample    sample.Options // how the next token is chosen
	Stop      []string       // end when the text contains one of these (it is not emitted)
	EOS       int32          // end-of-text id; negative for none
	IgnoreEOS bool           // keep going past EOS
	// Before are the tokens already in a continued session ahead of the
	// prompt; the repeat penalty sees them as a fresh session would.
	Before []int32
}

// Event is one generated token and the text it completes (possibly empty
// while a UTF-8 sequence or a possible stop string is held back).
type Event struct {
	ID   int32
	Text string
}

// Stop reasons reported in Result.
const (
	StopEOS       = "eos"
	StopString    = "stop"
	StopMaxTokens = "max_tokens"
	StopContext   = "context"
	StopCancelled = "cancelled"
)

// Result summarizes a generation.
type Result struct {
	IDs             []int32       // generated ids, including a final EOS or stop-string tokens
	Text            string        // generated text, cut before a stop string
	PromptTokens    int           // tokens fed as the prompt
	TimeToFirst     time.Duration // from the start to the first generated token
	TokensPerSecond float64       // decode rate after the first token (0 with one token)
	StopReason      string
}

// Run generates after prompt on a fresh or continued session. onToken may be
// nil; an error it returns ends the run with that error.
func Run(ctx context.Context, s *phi2.Session, tok *tokenizer.Tokenizer, prompt []int32, o Options, onToken func(Event) error) (Result, error) {
	res := Result{PromptTokens: len(prompt)}
	if err := o.Sample.Validate(); err != nil {
		return res, err
	}
	if len(prompt) == 0 {
		return res, errors.New("empty prompt: give at least one token")
	}
	if s.Pos()+len(prompt) > s.Model().MaxContext() {
		return res, fmt.Errorf("prompt of %d tokens does not fit the context of %d tokens (%d already used): shorten it", len(prompt), s.Model().MaxContext(), s.Pos())
	}
	sampler := sample.New(o.Sample)
	text := newTextStream(tok, o.Stop)
	logits := make([]float32, s.Model().Config.VocabSize)
	history := append(append([]int32(nil), o.Before...), prompt...)

	start := time.Now()
	var first time.Time
	if err := s.Feed(prompt); err != nil {
		return res, err
	}
	for {
		if err := ctx.Err(); err != nil {
			res.StopReason = StopCancelled
			break
		}
		id, err := next(s, sampler, logits, history, tok.VocabSize())
		if err != nil {
			return res, err
		}
		if first.IsZero() {
			first = time.Now()
			res.TimeToFirst = first.Sub(start)
		}
		res.IDs = append(res.IDs, id)
		history = append(history, id)
		if id == o.EOS && o.EOS >= 0 && !o.IgnoreEOS {
			res.StopReason = StopEOS
			break
		}
		piece, stopped, err := text.add(id)
		if err != nil {
			return res, err
		}
		if onToken != nil && (piece != "" || !stopped) {
			if err := onToken(Event{ID: id, Text: piece}); err != nil {
				return res, err
			}
		}
		if stopped {
			res.StopReason = StopString
			break
		}
		if o.MaxTokens > 0 && len(res.IDs) >= o.MaxTokens {
			res.StopReason = StopMaxTokens
			break
		}
		if s.Pos() >= s.Model().MaxContext() {
			res.StopReason = StopContext
			break
		}
		if err := s.Feed([]int32{id}); err != nil {
			return res, err
		}
	}
	if rest := text.flush(); rest != "" && onToken != nil {
		if err := onToken(Event{ID: -1, Text: rest}); err != nil {
			return res, err
		}
	}
	res.Text = text.emitted.String()
	if n := len(res.IDs); n > 1 {
		res.TokensPerSecond = float64(n-1) / time.Since(first).Seconds()
	}
	return res, nil
}

// next picks the next token. Greedy decoding reads back only the id, as the
// reference does over every row; sampling never draws the model's rows
// past the tokenizer (ids ≥ textVocab), which have no text.
func next(s *phi2.Session, sm *sample.Sampler, logits []float32, history []int32, textVocab int) (int32, error) {
	if sm.Greedy() {
		return s.Argmax()
	}
	if err := s.Logits(logits); err != nil {
		return 0, err
	}
	for i := textVocab; i < len(logits); i++ {
		logits[i] = float32(math.Inf(-1))
	}
	return sm.Sample(logits, history), nil
}

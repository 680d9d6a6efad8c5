package phi2web

import (
	"context"
	"fmt"

	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// ContextFullError is the error of a prompt longer than the context.
type ContextFullError struct{ Tokens, Context int }

func (e *ContextFullError) Error() string {
	return fmt.Sprintf("the prompt is %d tokens long and does not fit the context of %d tokens", e.Tokens, e.Context)
}

// Generate generates after prompt. The session keeps the tokens the last
// generation left in it, so only what prompt adds after their common start
// is computed again (a conversation's next turn). A cancelled ctx ends the
// generation with what it made (generate.StopCancelled). The result's
// PromptTokens counts the whole prompt. When the GPU
// device is lost part way, the model moves to SIMD, or natively to the
// pure-Go backend (Options.OnFallback),
// and the generation goes on from the tokens made so far.
func (m *Model) Generate(ctx context.Context, prompt []int32, o generate.Options, onToken func(generate.Event) error) (generate.Result, error) {
	tok, err := tokenizer.Default()
	if err != nil {
		return generate.Result{}, err
	}
	if len(prompt) > m.MaxContext() {
		return generate.Result{}, &ContextFullError{len(prompt), m.MaxContext()}
	}
	k := reuse(m.ids, prompt)
	m.s.Truncate(k)
	m.ids = m.ids[:k]
	var made []int32 // the ids streamed so far
	var sent string  // and their text
	stream := func(ev generate.Event) error {
		if ev.ID >= 0 {
			made = append(made, ev.ID)
		}
		sent += ev.Text
		if onToken == nil {
			return nil
		}
		return onToken(ev)
	}
	o.Before = prompt[:k] // in the session already: the repeat penalty sees them too
	res, err := generate.Run(ctx, m.s, tok, prompt[k:], o, stream)
	for err != nil && ctx.Err() == nil {
		var moved bool
		if moved, err = m.fallBack(ctx, err); !moved {
			break
		}
		// Go on from the tokens made so far, on the fresh session.
		res0, n := res, len(made)
		ids, before := append([]int32(nil), made...), sent
		more := o
		more.Before = nil // a fresh session is fed the whole prompt again
		if o.MaxTokens > 0 {
			if more.MaxTokens -= n; more.MaxTokens <= 0 {
				res, err = generate.Result{IDs: ids, Text: before, StopReason: generate.StopMaxTokens}, nil
				break
			}
		}
		res, err = generate.Run(ctx, m.s, tok, append(append([]int32(nil), prompt...), ids...), more, stream)
		res.IDs, res.Text = append(ids, res.IDs...), before+res.Text
		if n > 0 {
			res.TimeToFirst = res0.TimeToFirst
		}
	}
	if err != nil && ctx.Err() != nil {
		res, err = generate.Result{IDs: made, Text: sent, StopReason: generate.StopCancelled}, nil
	}
	res.PromptTokens = len(prompt)
	m.ids = nil
	if err != nil {
		if m.s != nil {
			m.s.Reset()
		}
		return res, err
	}
	if m.s != nil {
		all := append(append([]int32(nil), prompt...), res.IDs...)
		m.ids = all[:min(m.s.Pos(), len(all))]
	}
	return res, nil
}

// Logits computes the logits of the last position of ids into out (the
// vocabulary's size) on a session started afresh.
func (m *Model) Logits(ids []int32, out []float32) error {
	for {
		err := m.logits(ids, out)
		if err == nil {
			return nil
		}
		if moved, err := m.fallBack(context.Background(), err); !moved {
			return err
		}
	}
}

func (m *Model) logits(ids []int32, out []float32) error {
	m.s.Reset()
	m.ids = nil
	if err := m.s.Feed(ids); err != nil {
		return err
	}
	return m.s.Logits(out)
}

// reuse is how many tokens of the session's cache a prompt keeps: the
// tokens it starts with, but never the whole prompt, since the prediction
// after its last token must be computed.
func reuse(cached, prompt []int32) int {
	n := 0
	for n < len(cached) && n < len(prompt) && cached[n] == prompt[n] {
		n++
	}
	return max(min(n, len(prompt)-1), 0)
}

// fallBack moves m to the backend that takes over (takeOver) after err,
// if err is the loss of its GPU
// device: the model is loaded again onto a fresh session. It reports
// whether m can go on, and otherwise the error to report: err, or why the
// model, then closed, could not be loaded again.
func (m *Model) fallBack(ctx context.Context, err error) (bool, error) {
	if !lostDevice(err) {
		return false, err
	}
	m.Close()
	be, lerr := takeOver(err.Error())
	if lerr == nil {
		lerr = m.load(ctx, be)
	}
	if lerr != nil {
		return false, fmt.Errorf("%v; loading the model again on %s failed: %w", err, fallbackBackend, lerr)
	}
	if m.o.OnFallback != nil {
		m.o.OnFallback(err.Error())
	}
	return true, nil
}

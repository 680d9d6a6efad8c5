//go:build js && wasm

package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"syscall/js"

	"github.com/phi2web/phi2web/cmd/phi2-worker/page"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// running is the generation in progress.
type running struct {
	id     js.Value
	cancel context.CancelFunc
	done   chan struct{} // closed when it has replied
}

// generate runs a generate request on the loaded model, replying with
// token messages and then its result.
func (e *engine) generate(id js.Value, o object) error {
	prompt, opts, err := readGenerate(o)
	if err != nil {
		return err
	}
	e.mu.Lock()
	l := e.model
	if l == nil {
		e.mu.Unlock()
		return page.Errorf(page.CodeNotLoaded, "generate: no model is loaded")
	}
	if e.gen != nil {
		e.mu.Unlock()
		return page.Errorf(page.CodeBusy, "generate: another generation is running")
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &running{id: id, cancel: cancel, done: make(chan struct{})}
	e.gen = g
	e.mu.Unlock()
	defer func() {
		cancel()
		e.mu.Lock()
		e.gen = nil
		e.mu.Unlock()
		close(g.done)
	}()
	result, err := e.run(ctx, id, l, prompt, opts)
	if err != nil {
		return err
	}
	done(id, result)
	return nil
}

// readGenerate reads a generate request: the prompt and the options,
// with the defaults of the JS API for those missing (a random seed).
func readGenerate(o object) (string, generate.Options, error) {
	if o.v.Get("prompt").Type() != js.TypeString {
		return "", generate.Options{}, page.Errorf(page.CodeBadRequest, "generate: prompt must be a string")
	}
	prompt, _ := o.str("prompt")
	so, err := o.sub("options", "generate options")
	if err != nil {
		return "", generate.Options{}, err
	}
	po := page.DefaultOptions()
	po.Seed = float64(rand.Uint32())
	errs := make([]error, 0, 8)
	for _, f := range []struct {
		name string
		v    *float64
	}{
		{"maxTokens", &po.MaxTokens}, {"temperature", &po.Temperature}, {"topK", &po.TopK}, {"topP", &po.TopP},
		{"minP", &po.MinP}, {"repeatPenalty", &po.RepeatPenalty}, {"seed", &po.Seed},
	} {
		var err error
		*f.v, err = so.num(f.name, *f.v)
		errs = append(errs, err)
	}
	po.Stop, err = so.strs("stop")
	if err := errors.Join(append(errs, err)...); err != nil {
		return "", generate.Options{}, err
	}
	opts, err := po.Generate()
	return prompt, opts, err
}

// abort stops the generation of request id, which then replies with what
// it made.
func (e *engine) abort(id js.Value) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gen != nil && e.gen.id.Equal(id) {
		e.gen.cancel()
	}
}

// stop aborts the running generation and waits for its reply.
func (e *engine) stop() {
	e.mu.Lock()
	g := e.gen
	e.mu.Unlock()
	if g != nil {
		g.cancel()
		<-g.done
	}
}

// run generates after text on l's session, feeding only what the session
// does not hold yet, and moves to wasm SIMD when the WebGPU device is lost.
func (e *engine) run(ctx context.Context, id js.Value, l *loaded, text string, o generate.Options) (map[string]any, error) {
	tok, err := tokenizer.Default()
	if err != nil {
		return nil, err
	}
	prompt := tok.Encode(text)
	if len(prompt) == 0 {
		return nil, page.Errorf(page.CodeBadRequest, "generate: the prompt is empty")
	}
	if n := l.m.MaxContext(); len(prompt) > n {
		return nil, page.ContextFull(len(prompt), n)
	}
	k := page.Reuse(l.ids, prompt)
	l.s.Truncate(k)
	l.ids = l.ids[:k]
	var made []int32 // the ids streamed so far
	var sent string  // and their text
	onToken := func(ev generate.Event) error {
		if ev.ID >= 0 {
			made = append(made, ev.ID)
		}
		sent += ev.Text
		post(map[string]any{"type": "token", "id": id, "text": ev.Text, "token": int(ev.ID)})
		yield()
		return nil
	}
	o.Before = prompt[:k] // in the session already: the repeat penalty sees them too
	res, err := generate.Run(ctx, l.s, tok, prompt[k:], o, onToken)
	for err != nil && ctx.Err() == nil {
		var moved bool
		if moved, err = e.fallBack(ctx, id, l, err); !moved {
			break
		}
		// Go on from the tokens made so far, on the fresh session.
		res0, n := res, len(made)
		ids, before := append([]int32(nil), made...), sent
		more := o
		more.Before = nil // a fresh session is fed the whole prompt again
		if more.MaxTokens -= n; more.MaxTokens <= 0 {
			res, err = generate.Result{IDs: ids, Text: before, StopReason: generate.StopMaxTokens}, nil
			break
		}
		res, err = generate.Run(ctx, l.s, tok, append(append([]int32(nil), prompt...), ids...), more, onToken)
		res.IDs, res.Text = append(ids, res.IDs...), before+res.Text
		if n > 0 {
			res.TimeToFirst = res0.TimeToFirst
		}
	}
	if err != nil && ctx.Err() != nil {
		res, err = generate.Result{IDs: made, Text: sent, StopReason: generate.StopCancelled}, nil
	}
	if err != nil {
		if l.s != nil {
			l.s.Reset()
		}
		l.ids = nil
		return nil, err
	}
	l.ids = nil
	if l.s != nil { // else the model was lost while the abort came
		all := append(append([]int32(nil), prompt...), res.IDs...)
		l.ids = all[:min(l.s.Pos(), len(all))]
	}
	return map[string]any{
		"text": res.Text, "promptTokens": len(prompt), "completionTokens": len(res.IDs),
		"finishReason": page.FinishReason(res.StopReason), "ttftMs": float64(res.TimeToFirst.Microseconds()) / 1000,
		"tokensPerSecond": res.TokensPerSecond,
	}, nil
}

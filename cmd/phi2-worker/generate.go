//go:build js && wasm

package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"syscall/js"

	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
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
func (e *worker) generate(id js.Value, o object) error {
	prompt, opts, err := readGenerate(o)
	if err != nil {
		return err
	}
	e.mu.Lock()
	l := e.model
	if l == nil {
		e.mu.Unlock()
		return protocol.Errorf(protocol.CodeNotLoaded, "generate: no model is loaded")
	}
	if e.gen != nil {
		e.mu.Unlock()
		return protocol.Errorf(protocol.CodeBusy, "generate: another generation is running")
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
		return "", generate.Options{}, protocol.Errorf(protocol.CodeBadRequest, "generate: prompt must be a string")
	}
	prompt, _ := o.str("prompt")
	so, err := o.sub("options", "generate options")
	if err != nil {
		return "", generate.Options{}, err
	}
	po := protocol.DefaultOptions()
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
func (e *worker) abort(id js.Value) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gen != nil && e.gen.id.Equal(id) {
		e.gen.cancel()
	}
}

// stop aborts the running generation and waits for its reply.
func (e *worker) stop() {
	e.mu.Lock()
	g := e.gen
	e.mu.Unlock()
	if g != nil {
		g.cancel()
		<-g.done
	}
}

// run generates after text on l's model, which keeps what it can of the
// last generation's tokens and moves to SIMD when the WebGPU device is
// lost; a model that could not be loaded again is dropped.
func (e *worker) run(ctx context.Context, id js.Value, l *loaded, text string, o generate.Options) (map[string]any, error) {
	tok, err := tokenizer.Default()
	if err != nil {
		return nil, err
	}
	prompt := tok.Encode(text)
	if len(prompt) == 0 {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "generate: the prompt is empty")
	}
	onToken := func(ev generate.Event) error {
		post(map[string]any{"type": "token", "id": id, "text": ev.Text, "token": int(ev.ID)})
		yield()
		return nil
	}
	res, err := l.m.Generate(ctx, prompt, o, onToken)
	if l.m.Closed() {
		e.drop(l)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"text": res.Text, "promptTokens": len(prompt), "completionTokens": len(res.IDs),
		"finishReason": protocol.FinishReason(res.StopReason), "ttftMs": float64(res.TimeToFirst.Microseconds()) / 1000,
		"tokensPerSecond": res.TokensPerSecond,
	}, nil
}

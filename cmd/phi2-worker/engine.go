//go:build js && wasm

package main

import (
	"fmt"
	"runtime/debug"
	"sync"
	"syscall/js"

	"github.com/phi2web/phi2web/cmd/phi2-worker/page"
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/wasm/simd"
)

// engine is the worker's state: at most one model with its session, and
// at most one generation on it.
type engine struct {
	ops sync.Mutex // held by a load or an unload for its whole run

	mu      sync.Mutex // guards the fields below
	model   *loaded
	gen     *running
	threads int // the SIMD backend's threads
}

// loaded is a model on a backend, with the session kept between
// generations.
type loaded struct {
	req      page.Load // as asked for, defaults filled
	m        *phi2.Model
	s        *phi2.Session
	be       backend.Backend
	backend  string // "webgpu" or "wasm"
	adapter  string
	fallback string // why the backend asked for is not the one in use
	quant    string // the stored model's, e.g. "Q4"
	bytes    int64  // the stored model's shard bytes
	ids      []int32
}

func (l *loaded) close() {
	if l.s != nil {
		l.s.Close()
	}
	if l.m != nil {
		l.m.Close()
	}
	if l.be != nil {
		l.be.Close()
	}
	l.m, l.s, l.be, l.ids = nil, nil, nil, nil
}

func newEngine() *engine {
	b := simd.New()
	defer b.Close()
	return &engine{threads: b.Workers()}
}

// receive reads a message and handles it on a goroutine of its own.
func (e *engine) receive(msg js.Value) {
	if msg.Type() != js.TypeObject {
		fail(js.Null(), page.Errorf(page.CodeBadRequest, "a message must be an object, not a %s", msg.Type()))
		return
	}
	id := msg.Get("id")
	if id.Type() == js.TypeUndefined {
		id = js.Null()
	}
	o := object{msg, "message"}
	kind, err := o.str("type")
	if err != nil {
		fail(id, err)
		return
	}
	o.what = kind
	if kind == "abort" {
		e.abort(id)
		return
	}
	handlers := map[string]func(js.Value, object) error{
		"load": e.load, "generate": e.generate, "unload": e.unload, "info": e.info, "cache": e.cache,
	}
	h, ok := handlers[kind]
	if !ok {
		fail(id, page.Errorf(page.CodeBadRequest, "unknown message type %q: want load, generate, abort, unload, info or cache", kind))
		return
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Printf("phi2: %s: panic: %v\n%s", kind, r, debug.Stack())
				fail(id, page.Errorf(page.CodeInternal, "%s: %v", kind, r))
			}
		}()
		if err := h(id, o); err != nil {
			fail(id, err)
		}
	}()
}

func (e *engine) unload(id js.Value, _ object) error {
	e.ops.Lock()
	defer e.ops.Unlock()
	e.stop()
	e.drop()
	done(id, nil)
	return nil
}

// drop frees the model.
func (e *engine) drop() {
	e.mu.Lock()
	l := e.model
	e.model = nil
	e.mu.Unlock()
	if l != nil {
		l.close()
	}
}

func (e *engine) info(id js.Value, _ object) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	done(id, e.infoOf(e.model))
	return nil
}

// infoOf is the info object of l (nil: no model loaded).
func (e *engine) infoOf(l *loaded) map[string]any {
	out := map[string]any{
		"backend": "", "adapter": "", "fallbackReason": "", "model": nil, "contextUsed": 0,
		"threads": e.threads, "crossOriginIsolated": js.Global().Get("crossOriginIsolated").Truthy(),
	}
	if l == nil || l.m == nil {
		return out
	}
	c := l.m.Config
	out["backend"], out["adapter"], out["fallbackReason"] = l.backend, l.adapter, l.fallback
	out["model"] = map[string]any{
		"url": l.req.Model, "quant": l.quant, "layers": c.NumLayers, "hidden": c.HiddenSize,
		"vocab": c.VocabSize, "contextLength": l.m.MaxContext(), "bytes": float64(l.bytes),
	}
	if l.s != nil {
		out["contextUsed"] = l.s.Pos()
	}
	return out
}

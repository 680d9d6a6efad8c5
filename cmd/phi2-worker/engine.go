//go:build js && wasm

package main

import (
	"fmt"
	"runtime/debug"
	"sync"
	"syscall/js"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
	"github.com/phi2web/phi2web/wasm/simd"
)

// worker is the worker's state: at most one model, and at most one
// generation on it.
type worker struct {
	ops sync.Mutex // held by a load or an unload for its whole run

	mu      sync.Mutex // guards the fields below
	model   *loaded
	gen     *running
	threads int // the SIMD backend's threads
}

// loaded is a model as a load request asked for it.
type loaded struct {
	req protocol.Load // as asked for, defaults filled
	m   *phi2web.Model
}

func newWorker() *worker {
	b := simd.New()
	defer b.Close()
	return &worker{threads: b.Workers()}
}

// receive reads a message and handles it on a goroutine of its own.
func (e *worker) receive(msg js.Value) {
	if msg.Type() != js.TypeObject {
		fail(js.Null(), protocol.Errorf(protocol.CodeBadRequest, "a message must be an object, not a %s", msg.Type()))
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
		"load": e.load, "generate": e.generate, "unload": e.unload, "info": e.info, "cache": e.cache, "count": e.count,
	}
	h, ok := handlers[kind]
	if !ok {
		fail(id, protocol.Errorf(protocol.CodeBadRequest, "unknown message type %q: want load, generate, abort, unload, info, cache or count", kind))
		return
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Printf("phi2: %s: panic: %v\n%s", kind, r, debug.Stack())
				fail(id, protocol.Errorf(protocol.CodeInternal, "%s: %v", kind, r))
			}
		}()
		if err := h(id, o); err != nil {
			fail(id, err)
		}
	}()
}

func (e *worker) unload(id js.Value, _ object) error {
	e.ops.Lock()
	defer e.ops.Unlock()
	e.stop()
	e.drop(nil)
	done(id, nil)
	return nil
}

// drop frees the model, or only l when it is given and still the model.
func (e *worker) drop(l *loaded) {
	e.mu.Lock()
	cur := e.model
	if l == nil || cur == l {
		e.model = nil
	}
	e.mu.Unlock()
	if cur != nil && (l == nil || cur == l) {
		cur.m.Close()
	}
}

func (e *worker) info(id js.Value, _ object) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	done(id, e.infoOf(e.model))
	return nil
}

// infoOf is the info object of l (nil: no model loaded).
func (e *worker) infoOf(l *loaded) map[string]any {
	out := map[string]any{
		"backend": "", "adapter": "", "fallbackReason": "", "model": nil, "contextUsed": 0,
		"threads": e.threads, "crossOriginIsolated": js.Global().Get("crossOriginIsolated").Truthy(),
	}
	if l == nil || l.m.Closed() {
		return out
	}
	c, info := l.m.Config(), l.m.Info()
	out["backend"], out["adapter"], out["fallbackReason"] = l.m.Backend(), l.m.Adapter(), l.m.Fallback()
	out["model"] = map[string]any{
		"url": l.req.Model, "quant": info.Quant, "layers": c.NumLayers, "hidden": c.HiddenSize,
		"vocab": c.VocabSize, "contextLength": l.m.MaxContext(), "bytes": float64(info.StoredBytes),
		"kvCache": l.m.KVCache(),
	}
	out["contextUsed"] = l.m.Pos()
	return out
}

//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
	"github.com/phi2web/phi2web/runtime/load"
)

// object reads the fields of a message object; a field of the wrong type
// is a bad request.
type object struct {
	v    js.Value
	what string // named in errors: "load", "generate options" …
}

func (o object) has(name string) bool {
	t := o.v.Get(name).Type()
	return t != js.TypeUndefined && t != js.TypeNull
}

func (o object) str(name string) (string, error) {
	f := o.v.Get(name)
	switch f.Type() {
	case js.TypeUndefined, js.TypeNull:
		return "", nil
	case js.TypeString:
		return f.String(), nil
	}
	return "", protocol.Errorf(protocol.CodeBadRequest, "%s: %s must be a string, not a %s", o.what, name, f.Type())
}

func (o object) num(name string, def float64) (float64, error) {
	f := o.v.Get(name)
	switch f.Type() {
	case js.TypeUndefined, js.TypeNull:
		return def, nil
	case js.TypeNumber:
		return f.Float(), nil
	}
	return 0, protocol.Errorf(protocol.CodeBadRequest, "%s: %s must be a number, not a %s", o.what, name, f.Type())
}

func (o object) strs(name string) ([]string, error) {
	f := o.v.Get(name)
	switch {
	case f.Type() == js.TypeUndefined || f.Type() == js.TypeNull:
		return nil, nil
	case !js.Global().Get("Array").Call("isArray", f).Bool():
		return nil, protocol.Errorf(protocol.CodeBadRequest, "%s: %s must be an array of strings", o.what, name)
	}
	out := make([]string, f.Length())
	for i := range out {
		s := f.Index(i)
		if s.Type() != js.TypeString {
			return nil, protocol.Errorf(protocol.CodeBadRequest, "%s: %s[%d] must be a string, not a %s", o.what, name, i, s.Type())
		}
		out[i] = s.String()
	}
	return out, nil
}

// sub is the object field name (an empty one when it is missing).
func (o object) sub(name, what string) (object, error) {
	f := o.v.Get(name)
	switch f.Type() {
	case js.TypeUndefined, js.TypeNull:
		return object{js.Global().Get("Object").New(), what}, nil
	case js.TypeObject:
		return object{f, what}, nil
	}
	return object{}, protocol.Errorf(protocol.CodeBadRequest, "%s must be an object, not a %s", what, f.Type())
}

// post sends the page a message; values are those js.ValueOf takes.
func post(msg map[string]any) { js.Global().Call("postMessage", js.ValueOf(msg)) }

func done(id js.Value, result any) { post(map[string]any{"type": "done", "id": id, "result": result}) }

func fail(id js.Value, err error) {
	e := protocol.Classify(err)
	post(map[string]any{"type": "error", "id": id, "error": map[string]any{"code": e.Code, "message": e.Message, "hint": e.Hint}})
}

// progress posts the progress of request id.
func progress(id js.Value) func(load.Progress) {
	return func(p load.Progress) {
		post(map[string]any{
			"type": "progress", "id": id, "phase": p.Phase, "done": float64(p.Done), "total": float64(p.Total),
			"shard": p.Shard, "shards": p.Shards, "bytesPerSecond": p.BytesPerSecond,
			"remainingSeconds": p.Remaining.Seconds(), "fromCache": p.FromCache,
		})
	}
}

// The event loop of the worker runs only while every goroutine waits, so
// a generation on the SIMD backend, which never waits on JavaScript, lets
// it run after each token (yield): abort, info and cache messages then
// arrive during the generation. A MessageChannel message is the quickest
// way round the event loop (timers are clamped).
var (
	yieldPort js.Value
	yielded   = make(chan struct{}, 1)
)

func initYield() {
	ch := js.Global().Get("MessageChannel").New()
	ch.Get("port1").Set("onmessage", js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case yielded <- struct{}{}:
		default:
		}
		return nil
	}))
	yieldPort = ch.Get("port2")
}

// yield returns after the event loop has handled what was waiting.
func yield() {
	yieldPort.Call("postMessage", nil)
	<-yielded
}

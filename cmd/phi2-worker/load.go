//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
)

// webgpuFault is phi2web.Options.WebGPUFault, set at build time by tests
// of the fallback: go build -ldflags "-X main.webgpuFault=lose:40".
var webgpuFault string

// load replaces the model with the one the request names, stored in the
// platform's store (IndexedDB) on the way.
func (e *worker) load(id js.Value, o object) error {
	r, err := readLoad(o)
	if err != nil {
		return err
	}
	e.ops.Lock()
	defer e.ops.Unlock()
	e.stop()
	e.drop(nil)
	l := &loaded{req: r}
	l.m, err = phi2web.Open(context.Background(), r.Model, phi2web.Options{
		Backend: r.Backend, Strict: r.Backend == "webgpu", Quant: r.Quant, KVCache: r.KVCache, Context: int(r.Context),
		MaxStorageBytes: int64(r.MaxStorageBytes), Progress: progress(id),
		WebGPUFault: webgpuFault, OnFallback: e.fellBack(l),
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.model = l
	e.mu.Unlock()
	done(id, e.infoOf(l))
	return nil
}

// fellBack tells the page that l moved to SIMD during the running
// generation, with l's new info.
func (e *worker) fellBack(l *loaded) func(string) {
	return func(reason string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		id := js.Null()
		if e.gen != nil {
			id = e.gen.id
		}
		post(map[string]any{"type": "fallback", "id": id, "reason": reason, "info": e.infoOf(l)})
	}
}

// readLoad reads and checks a load request.
func readLoad(o object) (protocol.Load, error) {
	var r protocol.Load
	var errs [6]error
	r.Model, errs[0] = o.str("model")
	r.Backend, errs[1] = o.str("backend")
	r.Quant, errs[2] = o.str("quant")
	r.KVCache, errs[3] = o.str("kvCache")
	r.MaxStorageBytes, errs[4] = o.num("maxStorageBytes", 0)
	r.Context, errs[5] = o.num("context", 0)
	for _, err := range errs {
		if err != nil {
			return r, err
		}
	}
	return r, r.Check()
}

//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/phi2web/phi2web/webgpu"
)

// fallBack moves l to wasm SIMD after err, if err is the loss of its
// WebGPU device: the model is loaded again from the store onto a fresh
// session, and the page gets a fallback message. It reports whether l
// can go on, and otherwise the error to report: err, or why the model,
// then unloaded, could not be loaded again.
func (e *engine) fallBack(ctx context.Context, id js.Value, l *loaded, err error) (bool, error) {
	if l.backend != "webgpu" || !errors.Is(err, webgpu.ErrDeviceLost) {
		return false, err
	}
	req := l.req
	l.close()
	fresh, oerr := openModel(ctx, req, simdBackend(err.Error()), nil)
	e.mu.Lock()
	defer e.mu.Unlock()
	if oerr != nil {
		if e.model == l {
			e.model = nil
		}
		return false, fmt.Errorf("%v; loading the model again on wasm SIMD failed: %w", err, oerr)
	}
	*l = *fresh
	post(map[string]any{"type": "fallback", "id": id, "reason": err.Error(), "info": e.infoOf(l)})
	return true, nil
}

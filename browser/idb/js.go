//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/browser/jsvalue"
	"github.com/phi2web/phi2web/runtime/store"
)

// ErrQuota is wrapped by the error of a write that the browser refused
// because the origin's storage quota would be exceeded. It wraps
// store.ErrNoSpace, as every store's out-of-space error does.
var ErrQuota = fmt.Errorf("storage quota exceeded: %w", store.ErrNoSpace)

// DOMError is a failure reported by the browser: a DOMException's name
// (such as "QuotaExceededError" or "VersionError") and message.
type DOMError struct {
	Name, Message string
}

func (e *DOMError) Error() string { return e.Name + ": " + e.Message }

// Unwrap gives ErrQuota for a QuotaExceededError.
func (e *DOMError) Unwrap() error {
	if e.Name == "QuotaExceededError" {
		return ErrQuota
	}
	return nil
}

// jsError turns a thrown or rejected value (a DOMException, an Error, a
// string) into an error; a value with a name becomes a *DOMError.
func jsError(v safejs.Value) error {
	if name := str(get(v, "name")); name != "" {
		return &DOMError{Name: name, Message: str(get(v, "message"))}
	}
	if s := str(v); s != "" {
		return errors.New(s)
	}
	return errors.New("unknown JavaScript error")
}

// handlers keeps the Go functions set as on<event> handlers of requests or
// transactions, so that they are unset and released together once those
// have settled.
type handlers struct {
	set []handler
}

type handler struct {
	target safejs.Value
	prop   string
	fn     safejs.Func
}

// on sets target.on<event> to fn, which runs synchronously in the event
// (so it may issue requests of a transaction that is still active) and
// must not block.
func (h *handlers) on(target safejs.Value, event string, fn func(ev safejs.Value)) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		fn(arg0(args))
		return nil
	})
	if err != nil {
		return err
	}
	h.set = append(h.set, handler{target, "on" + event, f})
	if err := target.Set("on"+event, f); err != nil {
		return fmt.Errorf("setting on%s: %w", event, err)
	}
	return nil
}

// release unsets and releases every handler; handlers may call it.
func (h *handlers) release() {
	for _, x := range h.set {
		_ = x.target.Set(x.prop, safejs.Null())
		x.fn.Release()
	}
	h.set = nil
}

// await waits for promise p (see jsvalue.Await).
func await(ctx context.Context, p safejs.Value) (safejs.Value, error) {
	return jsvalue.Await(ctx, p, jsError)
}

func arg0(args []safejs.Value) safejs.Value     { return jsvalue.Arg0(args) }
func get(v safejs.Value, p string) safejs.Value { return jsvalue.Get(v, p) }
func str(v safejs.Value) string                 { return jsvalue.Str(v) }
func num(v safejs.Value) float64                { return jsvalue.Num(v) }

// global is globalThis[name], which must be an object or function.
func global(name string) (safejs.Value, error) {
	v := get(safejs.Global(), name)
	if t := v.Type(); t != safejs.TypeObject && t != safejs.TypeFunction {
		return v, fmt.Errorf("idb: %s is not available here", name)
	}
	return v, nil
}

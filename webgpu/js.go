//go:build js && wasm

package webgpu

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/browser/jsvalue"
)

// await waits for a JavaScript promise (see jsvalue.Await).
func await(p safejs.Value) (safejs.Value, error) {
	return jsvalue.Await(context.Background(), p, jsError)
}

// jsError turns a rejection value (an Error, a GPUError, a string) into an
// error carrying its message.
func jsError(v safejs.Value) error {
	if msg, err := v.Get("message"); err == nil && msg.Type() == safejs.TypeString {
		s, _ := msg.String()
		return errors.New(s)
	}
	if s, err := v.String(); err == nil {
		return errors.New(s)
	}
	return errors.New("unknown JavaScript error")
}

func get(v safejs.Value, p string) safejs.Value { return jsvalue.Get(v, p) }
func str(v safejs.Value) string                 { return jsvalue.Str(v) }
func num(v safejs.Value) float64                { return jsvalue.Num(v) }

// call calls method m of v and wraps a failure with what was called.
func call(v safejs.Value, m string, args ...any) (safejs.Value, error) {
	r, err := v.Call(m, args...)
	if err != nil {
		return r, fmt.Errorf("%s: %w", m, err)
	}
	return r, nil
}

func arg0(args []safejs.Value) safejs.Value { return jsvalue.Arg0(args) }

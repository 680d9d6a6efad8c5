//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
)

// await waits for a JavaScript promise. It must not be called from inside a
// JavaScript callback (the event loop must run to settle the promise).
func await(p safejs.Value) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	ch := make(chan result, 1)
	ok, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- result{v: arg0(args)}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer ok.Release()
	fail, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- result{err: jsError(arg0(args))}
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	defer fail.Release()
	if _, err := p.Call("then", ok, fail); err != nil {
		return safejs.Undefined(), err
	}
	r := <-ch
	return r.v, r.err
}

func arg0(args []safejs.Value) safejs.Value {
	if len(args) == 0 {
		return safejs.Undefined()
	}
	return args[0]
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

// get reads property p, or undefined.
func get(v safejs.Value, p string) safejs.Value {
	r, err := v.Get(p)
	if err != nil {
		return safejs.Undefined()
	}
	return r
}

// str is v as a string, or "" when it is not one.
func str(v safejs.Value) string {
	if v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}

// num is v as a number, or 0.
func num(v safejs.Value) float64 {
	f, err := v.Float()
	if err != nil {
		return 0
	}
	return f
}

// call calls method m of v and wraps a failure with what was called.
func call(v safejs.Value, m string, args ...any) (safejs.Value, error) {
	r, err := v.Call(m, args...)
	if err != nil {
		return r, fmt.Errorf("%s: %w", m, err)
	}
	return r, nil
}

//go:build js && wasm

package jsvalue

import (
	"context"

	"github.com/hack-pad/safejs"
)

// Await waits for promise p; reject turns a rejection value into the
// error. It must not be called from inside a JavaScript callback: the event
// loop has to run to settle p. The callbacks release themselves when p
// settles, so a caller that gives up when ctx ends leaves nothing behind.
func Await(ctx context.Context, p safejs.Value, reject func(safejs.Value) error) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	ch := make(chan result, 1)
	var ok, fail safejs.Func
	settle := func(r result) {
		ch <- r
		ok.Release()
		fail.Release()
	}
	var err error
	if ok, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		settle(result{v: Arg0(args)})
		return nil
	}); err != nil {
		return safejs.Undefined(), err
	}
	if fail, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		settle(result{err: reject(Arg0(args))})
		return nil
	}); err != nil {
		ok.Release()
		return safejs.Undefined(), err
	}
	if _, err := p.Call("then", ok, fail); err != nil {
		ok.Release()
		fail.Release()
		return safejs.Undefined(), err
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return safejs.Undefined(), ctx.Err()
	}
}

// Arg0 is the first argument of a callback, or undefined.
func Arg0(args []safejs.Value) safejs.Value {
	if len(args) == 0 {
		return safejs.Undefined()
	}
	return args[0]
}

// Get reads property p of v, or undefined (also when v is null or undefined).
func Get(v safejs.Value, p string) safejs.Value {
	if v.IsUndefined() || v.IsNull() {
		return safejs.Undefined()
	}
	r, err := v.Get(p)
	if err != nil {
		return safejs.Undefined()
	}
	return r
}

// Str is v as a string, or "" when it is not one.
func Str(v safejs.Value) string {
	if v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}

// Num is v as a number, or 0 when it is not one.
func Num(v safejs.Value) float64 {
	if v.Type() != safejs.TypeNumber {
		return 0
	}
	f, _ := v.Float()
	return f
}

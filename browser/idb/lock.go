//go:build js && wasm

package idb

import (
	"context"
	"fmt"
	"sync"

	"github.com/hack-pad/safejs"
)

// Lock takes the Web Lock name (navigator.locks), exclusive across every
// page and worker of the origin, waiting while another holder has it or
// until ctx ends. The lock is held until release is called, which
// returns once the browser has let it go; release may be called more than
// once, and not from inside a JavaScript callback (it waits for the event
// loop).
func Lock(ctx context.Context, name string) (release func(), err error) {
	locks, err := global("navigator")
	if err == nil {
		locks = get(locks, "locks")
		if isMissing(locks) {
			err = fmt.Errorf("idb: navigator.locks is not available here")
		}
	}
	if err != nil {
		return nil, err
	}
	abort, err := newObject("AbortController")
	if err != nil {
		return nil, fmt.Errorf("idb: lock %q: %w", name, err)
	}

	var (
		mu        sync.Mutex
		cancelled bool
		resolve   safejs.Value // settles the promise the lock is held for
		granted   = make(chan struct{})
	)
	// The callback runs when the lock is granted. It must not block: it
	// returns a promise that release resolves, and tells Lock. When Lock
	// has given up meanwhile it gives the lock straight back.
	var executor safejs.Func
	executor, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		resolve = arg0(args)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("idb: lock %q: %w", name, err)
	}
	cb, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		mu.Lock()
		defer mu.Unlock()
		if cancelled {
			return nil
		}
		p, err := newPromise(executor)
		if err != nil {
			return nil
		}
		close(granted)
		return p
	})
	if err != nil {
		executor.Release()
		return nil, fmt.Errorf("idb: lock %q: %w", name, err)
	}
	opts, _ := newObject("Object")
	_ = opts.Set("signal", get(abort, "signal"))
	p, err := locks.Call("request", name, opts, cb)
	if err != nil {
		cb.Release()
		executor.Release()
		return nil, fmt.Errorf("idb: lock %q: %w", name, err)
	}
	// The request's promise settles once the lock is released or the
	// request aborted; only then are the callbacks done with.
	freed := make(chan struct{})
	go func() {
		_, _ = await(context.Background(), p)
		cb.Release()
		executor.Release()
		close(freed)
	}()

	var once sync.Once
	release = func() {
		once.Do(func() { _, _ = resolve.Invoke() })
		<-freed
	}
	select {
	case <-granted:
		return release, nil
	case <-ctx.Done():
	}
	mu.Lock()
	cancelled = true
	mu.Unlock()
	select {
	case <-granted:
		release()
	default:
		_, _ = abort.Call("abort")
	}
	return nil, fmt.Errorf("idb: lock %q: %w", name, ctx.Err())
}

// newPromise is new Promise(executor).
func newPromise(executor safejs.Func) (safejs.Value, error) {
	c, err := global("Promise")
	if err != nil {
		return c, err
	}
	return c.New(executor)
}

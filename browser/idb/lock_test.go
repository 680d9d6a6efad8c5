//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
)

// held waits for the result of a Lock started in a goroutine.
type held struct {
	release func()
	err     error
}

func lockAsync(ctx context.Context, name string) chan held {
	ch := make(chan held, 1)
	go func() {
		r, err := Lock(ctx, name)
		ch <- held{r, err}
	}()
	return ch
}

// stillWaiting fails t if the Lock behind ch returns within a short while.
func stillWaiting(t *testing.T, ch chan held) {
	t.Helper()
	select {
	case h := <-ch:
		t.Fatalf("second Lock returned (err %v) while the lock was held", h.err)
	case <-time.After(100 * time.Millisecond):
	}
}

// granted fails t unless the Lock behind ch succeeds soon.
func granted(t *testing.T, ch chan held) func() {
	t.Helper()
	select {
	case h := <-ch:
		if h.err != nil {
			t.Fatal(h.err)
		}
		return h.release
	case <-time.After(5 * time.Second):
		t.Fatal("Lock still waiting 5 s after the lock was released")
	}
	return nil
}

func TestLockExcludes(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("idbtest-lock-%d", time.Now().UnixNano())
	release, err := Lock(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	other := granted(t, lockAsync(ctx, name+"-other")) // other names are free
	second := lockAsync(ctx, name)
	stillWaiting(t, second)
	release()
	release() // twice is harmless
	r2 := granted(t, second)
	third := lockAsync(ctx, name)
	stillWaiting(t, third)
	r2()
	granted(t, third)()
	other()
}

// A Lock that gives up when its context ends does not keep the lock.
func TestLockCancelled(t *testing.T) {
	name := fmt.Sprintf("idbtest-lock-%d", time.Now().UnixNano())
	release, err := Lock(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, name); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock on a held name with a 50 ms deadline = %v, want DeadlineExceeded", err)
	}
	release()
	granted(t, lockAsync(context.Background(), name))()
}

// workerScript holds the lock named in its first message until the next
// one, then answers "free" or "busy" to whether a lock is available.
const workerScript = `
onmessage = (e) => {
	const name = e.data;
	navigator.locks.request(name, () => new Promise((done) => {
		postMessage("held");
		onmessage = () => {
			done();
			onmessage = () => navigator.locks.request(name, {ifAvailable: true},
				(l) => postMessage(l ? "free" : "busy"));
		};
	}));
};`

// The lock excludes another worker of the origin, both ways.
func TestLockAcrossWorkers(t *testing.T) {
	name := fmt.Sprintf("idbtest-lock-%d", time.Now().UnixNano())
	w, msgs := startWorker(t, workerScript)
	post := func(v any) {
		if _, err := w.Call("postMessage", v); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-msgs:
			if got != want {
				t.Fatalf("worker said %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q from the worker", want)
		}
	}
	post(name)
	expect("held")
	mine := lockAsync(context.Background(), name)
	stillWaiting(t, mine)
	post("release")
	release := granted(t, mine)
	post("try")
	expect("busy")
	release()
	post("try")
	expect("free")
}

// startWorker runs script in a dedicated worker, terminated when the test
// ends, and returns it with the strings it posts.
func startWorker(t *testing.T, script string) (safejs.Value, chan string) {
	t.Helper()
	parts, _ := safejs.ValueOf([]any{script})
	opts, _ := safejs.ValueOf(map[string]any{"type": "text/javascript"})
	blob, err := newGlobal("Blob", parts, opts)
	if err != nil {
		t.Fatal(err)
	}
	urls, _ := global("URL")
	url, err := urls.Call("createObjectURL", blob)
	if err != nil {
		t.Fatal(err)
	}
	w, err := newGlobal("Worker", url)
	if err != nil {
		t.Fatalf("starting a worker: %v", err)
	}
	msgs := make(chan string, 4)
	var h handlers
	if err := h.on(w, "message", func(ev safejs.Value) { msgs <- str(get(ev, "data")) }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = w.Call("terminate")
		h.release()
		_, _ = urls.Call("revokeObjectURL", url)
	})
	return w, msgs
}

func newGlobal(class string, args ...any) (safejs.Value, error) {
	c, err := global(class)
	if err != nil {
		return c, err
	}
	return c.New(args...)
}

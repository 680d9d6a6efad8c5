//go:build js && wasm

package idb

import (
	"fmt"

	"github.com/hack-pad/safejs"
)

// Object store names.
const (
	modelsStore = "models"
	chunksStore = "chunks"
)

// txn is one IndexedDB transaction over both object stores. Its requests
// are issued by req, either back to back by the caller or from the success
// handlers given to then; the caller then waits for it with wait. The
// first failure aborts it and is what wait returns.
type txn struct {
	what   string // the operation, for errors
	tx     safejs.Value
	models safejs.Value
	chunks safejs.Value
	err    error
	done   chan error
	h      handlers
}

// begin starts a transaction; mode is "readonly" or "readwrite", and what
// names the operation in errors ("reading shard x of y").
func (s *Store) begin(mode, what string) (*txn, error) {
	names, err := safejs.ValueOf([]any{modelsStore, chunksStore})
	if err != nil {
		return nil, err
	}
	// Writes are strict: "complete" means on disk, so a tab closed (or a
	// browser killed) right after keeps what it was told is stored.
	tx, err := s.db.Call("transaction", names, mode, map[string]any{"durability": "strict"})
	if err != nil {
		return nil, fmt.Errorf("idb: %s: %w", what, err)
	}
	t := &txn{what: what, tx: tx, done: make(chan error, 1)}
	t.models, _ = tx.Call("objectStore", modelsStore)
	t.chunks, _ = tx.Call("objectStore", chunksStore)
	err = t.h.on(tx, "complete", func(safejs.Value) { t.finish(nil) })
	if err == nil {
		err = t.h.on(tx, "abort", func(safejs.Value) { t.finish(t.abortError()) })
	}
	if err != nil {
		_, _ = tx.Call("abort")
		t.h.release()
		return nil, fmt.Errorf("idb: %s: %w", what, err)
	}
	return t, nil
}

// req calls method m of object store os to issue a request and returns
// the request; a call that throws fails the transaction.
func (t *txn) req(os safejs.Value, m string, args ...any) safejs.Value {
	if t.err != nil {
		return safejs.Undefined()
	}
	r, err := os.Call(m, args...)
	if err != nil {
		t.fail(fmt.Errorf("idb: %s: %s: %w", t.what, m, err))
		return safejs.Undefined()
	}
	return r
}

// then runs fn with the result of request r when it succeeds, inside the
// success event, while the transaction is still active: fn may issue
// further requests and must not block. An error from fn fails the
// transaction and is returned by wait as it is.
func (t *txn) then(r safejs.Value, fn func(result safejs.Value) error) {
	if t.err != nil {
		return
	}
	err := t.h.on(r, "success", func(safejs.Value) {
		if t.err != nil {
			return
		}
		if err := fn(get(r, "result")); err != nil {
			t.fail(err)
		}
	})
	if err != nil {
		t.fail(fmt.Errorf("idb: %s: %w", t.what, err))
	}
}

// fail records err, unless a failure came first, and aborts.
func (t *txn) fail(err error) {
	if t.err == nil {
		t.err = err
	}
	_, _ = t.tx.Call("abort") // throws only when already finished
}

// abortError is why the transaction aborted: the recorded failure, else
// the transaction's error (that of a failed request, or a quota error on
// commit).
func (t *txn) abortError() error {
	if t.err != nil {
		return t.err
	}
	if e := get(t.tx, "error"); !e.IsNull() && !e.IsUndefined() {
		return fmt.Errorf("idb: %s: %w", t.what, jsError(e))
	}
	return fmt.Errorf("idb: %s: transaction aborted", t.what)
}

func (t *txn) finish(err error) {
	t.h.release()
	t.done <- err
}

// wait returns once the transaction has committed or aborted.
func (t *txn) wait() error {
	return <-t.done
}

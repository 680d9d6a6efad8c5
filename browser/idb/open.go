//go:build js && wasm

package idb

import (
	"context"
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/runtime/store"
)

// Store is a store.Store in an IndexedDB database. Like every Store it is
// used from one goroutine at a time.
type Store struct {
	name    string
	db      safejs.Value
	h       handlers // the connection's versionchange handler
	readers readers  // ReadShardSHA256's workers
}

var _ store.Store = (*Store)(nil)

// Open opens the IndexedDB database name, creating it, or emptying it
// when it holds another schema version (see the package notes). It works
// in pages and in Web Workers.
func Open(ctx context.Context, name string) (*Store, error) {
	db, err := openDB(ctx, name)
	var d *DOMError
	if errors.As(err, &d) && d.Name == "VersionError" { // a newer schema
		if err := DeleteDatabase(ctx, name); err != nil {
			return nil, err
		}
		db, err = openDB(ctx, name)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{name: name, db: db}
	err = s.h.on(db, "versionchange", func(safejs.Value) { _, _ = db.Call("close") })
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("idb: opening %q: %w", name, err)
	}
	return s, nil
}

// Close closes the connection; the Store must not be used afterwards.
func (s *Store) Close() {
	s.readers.close()
	s.h.release()
	_, _ = s.db.Call("close")
}

// openDB opens database name at store.SchemaVersion, creating the object
// stores in the upgrade, after deleting any of an older version.
func openDB(ctx context.Context, name string) (safejs.Value, error) {
	factory, err := global("indexedDB")
	if err != nil {
		return safejs.Undefined(), err
	}
	req, err := factory.Call("open", name, store.SchemaVersion)
	if err != nil {
		return safejs.Undefined(), fmt.Errorf("idb: opening %q: %w", name, err)
	}
	var upgradeErr error
	upgrade := func(safejs.Value) {
		db := get(req, "result")
		names := get(db, "objectStoreNames") // a live list: copy it first
		n, _ := get(names, "length").Int()
		var old []any
		for i := 0; i < n; i++ {
			v, _ := names.Call("item", i)
			old = append(old, v)
		}
		for _, o := range old {
			if _, err := db.Call("deleteObjectStore", o); err != nil && upgradeErr == nil {
				upgradeErr = err
			}
		}
		for _, o := range []string{modelsStore, chunksStore} {
			if _, err := db.Call("createObjectStore", o); err != nil && upgradeErr == nil {
				upgradeErr = err
			}
		}
		if upgradeErr != nil {
			_, _ = get(req, "transaction").Call("abort")
		}
	}
	db, err := settle(ctx, req, map[string]func(safejs.Value){"upgradeneeded": upgrade})
	if err != nil {
		if upgradeErr != nil {
			err = upgradeErr
		}
		return db, fmt.Errorf("idb: opening %q: %w", name, err)
	}
	return db, nil
}

// DeleteDatabase deletes database name and everything in it. Open
// connections elsewhere close themselves when asked to; one that does not
// makes it wait until ctx ends.
func DeleteDatabase(ctx context.Context, name string) error {
	factory, err := global("indexedDB")
	if err != nil {
		return err
	}
	req, err := factory.Call("deleteDatabase", name)
	if err == nil {
		_, err = settle(ctx, req, nil)
	}
	if err != nil {
		return fmt.Errorf("idb: deleting database %q: %w", name, err)
	}
	return nil
}

// settle waits for a request outside transactions (an open or a delete)
// to succeed or fail, running the extra event handlers meanwhile. When
// ctx ends first, a database that opens later is closed.
func settle(ctx context.Context, req safejs.Value, extra map[string]func(safejs.Value)) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	ch := make(chan result, 1)
	var h handlers
	err := h.on(req, "success", func(safejs.Value) {
		h.release()
		ch <- result{v: get(req, "result")}
	})
	if err == nil {
		err = h.on(req, "error", func(safejs.Value) {
			h.release()
			ch <- result{err: jsError(get(req, "error"))}
		})
	}
	for ev, fn := range extra {
		if err == nil {
			err = h.on(req, ev, fn)
		}
	}
	if err != nil {
		h.release()
		return safejs.Undefined(), err
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.err == nil && r.v.Type() == safejs.TypeObject {
				_, _ = r.v.Call("close")
			}
		}()
		return safejs.Undefined(), ctx.Err()
	}
}

//go:build js && wasm

package idb

import (
	"bytes"
	"fmt"
	"math"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/runtime/store"
)

// Models lists the stored models, in URL order.
func (s *Store) Models() ([]store.ModelInfo, error) {
	t, err := s.begin("readonly", "listing models")
	if err != nil {
		return nil, err
	}
	keys := t.req(t.models, "getAllKeys")
	vals := t.req(t.models, "getAll")
	if err := t.wait(); err != nil {
		return nil, err
	}
	k, v := get(keys, "result"), get(vals, "result")
	n, _ := k.Length()
	infos := make([]store.ModelInfo, 0, n)
	for i := 0; i < n; i++ {
		url, _ := k.Index(i)
		e, _ := v.Index(i)
		complete, _ := get(e, "complete").Bool()
		infos = append(infos, store.ModelInfo{URL: str(url), Bytes: storedBytes(e), Complete: complete})
	}
	return infos, nil
}

// Manifest returns the stored manifest.json of model.
func (s *Store) Manifest(model string) ([]byte, error) {
	e, err := s.entry(model, "reading the manifest of "+model)
	if err != nil {
		return nil, err
	}
	return bytesToGo(get(e, "manifest"))
}

// PutManifest stores the manifest, creating the entry; an entry that held
// another manifest loses its shards and its complete flag.
func (s *Store) PutManifest(model string, data []byte) error {
	t, err := s.begin("readwrite", fmt.Sprintf("writing %d bytes of the manifest of %s", len(data), model))
	if err != nil {
		return err
	}
	t.then(t.req(t.models, "get", model), func(old safejs.Value) error {
		if !isMissing(old) {
			if b, err := bytesToGo(get(old, "manifest")); err == nil && bytes.Equal(b, data) {
				return nil
			}
		}
		e, err := newEntry(data)
		if err != nil {
			return fmt.Errorf("idb: %s: %w", t.what, err)
		}
		t.req(t.chunks, "delete", modelRange(model))
		t.req(t.models, "put", e, model)
		return nil
	})
	return t.wait()
}

// SetComplete marks the model usable (or not).
func (s *Store) SetComplete(model string, complete bool) error {
	return s.update(model, "marking "+model+" complete", func(_ *txn, e safejs.Value) error {
		return e.Set("complete", complete)
	})
}

// Delete removes a model and its shards; deleting a model that is not
// stored does nothing.
func (s *Store) Delete(model string) error {
	t, err := s.begin("readwrite", "deleting "+model)
	if err != nil {
		return err
	}
	t.req(t.models, "delete", model)
	t.req(t.chunks, "delete", modelRange(model))
	return t.wait()
}

// DeleteAll removes every model.
func (s *Store) DeleteAll() error {
	t, err := s.begin("readwrite", "deleting every model")
	if err != nil {
		return err
	}
	t.req(t.models, "clear")
	t.req(t.chunks, "clear")
	return t.wait()
}

// entry reads the entry of model in a transaction of its own.
func (s *Store) entry(model, what string) (safejs.Value, error) {
	t, err := s.begin("readonly", what)
	if err != nil {
		return safejs.Undefined(), err
	}
	r := t.req(t.models, "get", model)
	if err := t.wait(); err != nil {
		return safejs.Undefined(), err
	}
	e := get(r, "result")
	if isMissing(e) {
		return e, notFound(model)
	}
	return e, nil
}

// update changes the entry of model with fn, which runs inside the
// transaction (and may issue requests in it), and writes it back.
func (s *Store) update(model, what string, fn func(t *txn, e safejs.Value) error) error {
	t, err := s.begin("readwrite", what)
	if err != nil {
		return err
	}
	t.then(t.req(t.models, "get", model), func(e safejs.Value) error {
		if isMissing(e) {
			return notFound(model)
		}
		if err := fn(t, e); err != nil {
			return err
		}
		t.req(t.models, "put", e, model)
		return nil
	})
	return t.wait()
}

func notFound(model string) error {
	return fmt.Errorf("idb: model %s: %w", model, store.ErrNotFound)
}

// chunkKey is the key of the chunk of shard that starts at offset.
func chunkKey(model, shard string, offset int64) []any {
	return []any{model, shard, float64(offset)}
}

// modelRange covers every chunk key of model: arrays sort after strings,
// so [model, []] follows every [model, shard, offset].
func modelRange(model string) safejs.Value {
	return keyRange([]any{model}, []any{model, []any{}}, false, false)
}

// shardRange covers the chunks of shard that start in [lo, hi].
func shardRange(model, shard string, lo, hi float64, loOpen, hiOpen bool) safejs.Value {
	return keyRange([]any{model, shard, lo}, []any{model, shard, hi}, loOpen, hiOpen)
}

// allOf covers every chunk of shard.
func allOf(model, shard string) safejs.Value {
	return shardRange(model, shard, 0, math.Inf(1), false, false)
}

// keyRange is IDBKeyRange.bound(lo, hi, loOpen, hiOpen), or undefined when
// it cannot be made (then the request using it fails).
func keyRange(lo, hi []any, loOpen, hiOpen bool) safejs.Value {
	c, err := global("IDBKeyRange")
	if err != nil {
		return safejs.Undefined()
	}
	r, err := c.Call("bound", lo, hi, loOpen, hiOpen)
	if err != nil {
		return safejs.Undefined()
	}
	return r
}

// RewriteManifest replaces the manifest of a stored model, keeping its
// shards and their verified marks; the model becomes incomplete.
func (s *Store) RewriteManifest(model string, data []byte) error {
	u8, err := bytesToJS(data)
	if err != nil {
		return fmt.Errorf("idb: rewriting the manifest of %s: %w", model, err)
	}
	return s.update(model, "rewriting the manifest of "+model, func(_ *txn, e safejs.Value) error {
		if err := e.Set("manifest", u8); err != nil {
			return err
		}
		return e.Set("complete", false)
	})
}

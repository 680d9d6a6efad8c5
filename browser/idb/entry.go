//go:build js && wasm

package idb

import (
	"fmt"

	"github.com/hack-pad/safejs"
)

// An entry, the value of a model in the "models" object store, is the
// JavaScript object
//
//	{manifest: Uint8Array, complete: boolean, shards: Map<name, {size: number, verified: boolean}>}
//
// and is read and changed in place, inside the transaction that writes it
// back.

// newEntry makes the entry of a model with this manifest and no shards.
func newEntry(manifest []byte) (safejs.Value, error) {
	u8, err := bytesToJS(manifest)
	if err != nil {
		return u8, err
	}
	m, err := newObject("Map")
	if err != nil {
		return m, err
	}
	e, err := newObject("Object")
	if err != nil {
		return e, err
	}
	for k, v := range map[string]any{"manifest": u8, "complete": false, "shards": m} {
		if err := e.Set(k, v); err != nil {
			return e, err
		}
	}
	return e, nil
}

// shardOf returns what entry e records of shard: its stored size and
// verified flag; ok is false when it records nothing.
func shardOf(e safejs.Value, shard string) (size int64, verified, ok bool) {
	r, err := get(e, "shards").Call("get", shard)
	if err != nil || r.Type() != safejs.TypeObject {
		return 0, false, false
	}
	v, _ := get(r, "verified").Bool()
	return int64(num(get(r, "size"))), v, true
}

// setShard records shard's size and verified flag in e.
func setShard(e safejs.Value, shard string, size int64, verified bool) error {
	r, err := newObject("Object")
	if err == nil {
		err = r.Set("size", float64(size))
	}
	if err == nil {
		err = r.Set("verified", verified)
	}
	if err == nil {
		_, err = get(e, "shards").Call("set", shard, r)
	}
	if err != nil {
		return fmt.Errorf("idb: recording shard %q: %w", shard, err)
	}
	return nil
}

// storedBytes is the sum of e's shard sizes.
func storedBytes(e safejs.Value) int64 {
	it, err := get(e, "shards").Call("values")
	if err != nil {
		return 0
	}
	arr, err := get(safejs.Global(), "Array").Call("from", it)
	if err != nil {
		return 0
	}
	n, _ := arr.Length()
	var sum int64
	for i := 0; i < n; i++ {
		r, _ := arr.Index(i)
		sum += int64(num(get(r, "size")))
	}
	return sum
}

// isMissing reports whether a request's result says "no such record".
func isMissing(v safejs.Value) bool {
	return v.IsUndefined() || v.IsNull()
}

// newObject is new globalThis[class]().
func newObject(class string) (safejs.Value, error) {
	c, err := global(class)
	if err != nil {
		return c, err
	}
	return c.New()
}

// bytesToJS copies b into a new Uint8Array of exactly its length (so that
// storing it clones no more than b).
func bytesToJS(b []byte) (safejs.Value, error) {
	c, err := global("Uint8Array")
	if err != nil {
		return c, err
	}
	u8, err := c.New(len(b))
	if err == nil {
		_, err = safejs.CopyBytesToJS(u8, b)
	}
	return u8, err
}

// bytesToGo copies a Uint8Array into a new slice.
func bytesToGo(u8 safejs.Value) ([]byte, error) {
	n, err := get(u8, "length").Int()
	if err != nil {
		return nil, fmt.Errorf("idb: stored bytes are not a Uint8Array")
	}
	b := make([]byte, n)
	_, err = safejs.CopyBytesToGo(b, u8)
	return b, err
}

//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/browser/idb"
	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
)

// cache runs a cache request on the model store; it needs no model.
func (e *worker) cache(id js.Value, o object) error {
	var r protocol.Cache
	var err error
	if r.Op, err = o.str("op"); err != nil {
		return err
	}
	if r.URL, err = o.str("url"); err != nil {
		return err
	}
	if err := r.Check(); err != nil {
		return err
	}
	st, closeStore, err := phi2web.OpenStore(context.Background())
	if err != nil {
		return err
	}
	defer closeStore()
	models, err := st.Models()
	if err != nil {
		return err
	}
	switch r.Op {
	case "list":
		list := make([]any, len(models))
		for i, m := range models {
			list[i] = map[string]any{"url": m.URL, "bytes": float64(m.Bytes), "complete": m.Complete}
		}
		done(id, list)
	case "delete":
		keys := make([]string, len(models))
		for i, m := range models {
			keys[i] = m.URL
		}
		for _, k := range protocol.StoredKeys(r.URL, keys) {
			if err := st.Delete(k); err != nil {
				return err
			}
		}
		done(id, nil)
	case "clear":
		if err := st.DeleteAll(); err != nil {
			return err
		}
		done(id, nil)
	case "estimate":
		usage, quota, err := st.Estimate()
		if err != nil {
			return err
		}
		persisted, _ := idb.Persist()
		done(id, map[string]any{"usage": float64(usage), "quota": float64(quota), "persisted": persisted})
	}
	return nil
}

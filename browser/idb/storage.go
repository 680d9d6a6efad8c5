//go:build js && wasm

package idb

import (
	"context"
	"fmt"

	"github.com/hack-pad/safejs"
)

// Estimate reports the bytes the origin uses and its quota, from
// navigator.storage.estimate(); they cover all of the origin's storage,
// not only this database.
func (s *Store) Estimate() (usage, quota int64, err error) {
	sm, err := storageManager()
	if err != nil {
		return 0, 0, err
	}
	p, err := sm.Call("estimate")
	if err == nil {
		p, err = await(context.Background(), p)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("idb: storage estimate: %w", err)
	}
	return int64(num(get(p, "usage"))), int64(num(get(p, "quota"))), nil
}

// Persist asks that the origin's storage be persistent (not evicted under
// storage pressure) and reports whether it is. Browsers may refuse without
// asking the user. Workers cannot ask, so there it only reports
// navigator.storage.persisted() (false in a fresh headless Chromium).
func Persist() (bool, error) {
	sm, err := storageManager()
	if err != nil {
		return false, err
	}
	method := "persist"
	if get(sm, method).Type() != safejs.TypeFunction {
		method = "persisted"
	}
	p, err := sm.Call(method)
	if err == nil {
		p, err = await(context.Background(), p)
	}
	if err != nil {
		return false, fmt.Errorf("idb: navigator.storage.%s: %w", method, err)
	}
	ok, _ := p.Bool()
	return ok, nil
}

// storageManager is navigator.storage.
func storageManager() (safejs.Value, error) {
	nav, err := global("navigator")
	if err != nil {
		return nav, err
	}
	sm := get(nav, "storage")
	if isMissing(sm) {
		return sm, fmt.Errorf("idb: navigator.storage is not available here")
	}
	return sm, nil
}

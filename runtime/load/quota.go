package load

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/store"
)

// limitStore returns st refusing to hold more than limit shard bytes of
// the model key (limit ≤ 0: st itself). Its Estimate leaves room for no
// more than the limit, so that a download too large is refused before it
// starts; a conversion, whose size is known only at its end, is refused
// at the write that passes the limit.
func limitStore(st store.Store, key string, limit int64) store.Store {
	if limit <= 0 {
		return st
	}
	return &limited{Store: st, key: key, limit: limit, stored: -1}
}

type limited struct {
	store.Store
	key    string
	limit  int64
	stored int64 // shard bytes of key; -1: to be read from Models
}

// held returns the shard bytes stored under the key.
func (l *limited) held() (int64, error) {
	if l.stored >= 0 {
		return l.stored, nil
	}
	models, err := l.Store.Models()
	if err != nil {
		return 0, err
	}
	l.stored = 0
	for _, m := range models {
		if m.URL == l.key {
			l.stored = m.Bytes
		}
	}
	return l.stored, nil
}

// Unwrap returns the store whose reads these are (store.AsHasher).
func (l *limited) Unwrap() store.Store { return l.Store }

func (l *limited) Estimate() (int64, int64, error) {
	usage, quota, err := l.Store.Estimate()
	held, herr := l.held()
	if err != nil || herr != nil {
		return usage, quota, err
	}
	room := l.limit - held
	if quota > 0 {
		room = min(room, quota-usage)
	} else {
		usage = 0
	}
	return usage, usage + room, nil
}

func (l *limited) AppendShard(model, shard string, offset int64, chunk []byte) error {
	if model != l.key {
		return l.Store.AppendShard(model, shard, offset, chunk)
	}
	held, err := l.held()
	if err != nil {
		return err
	}
	if held+int64(len(chunk)) > l.limit {
		return &overLimit{l.limit}
	}
	if err := l.Store.AppendShard(model, shard, offset, chunk); err != nil {
		return err
	}
	l.stored += int64(len(chunk))
	return nil
}

// The calls that drop bytes make the count be read again.

func (l *limited) PutManifest(model string, data []byte) error {
	l.stored = -1
	return l.Store.PutManifest(model, data)
}

func (l *limited) DeleteShard(model, shard string) error {
	l.stored = -1
	return l.Store.DeleteShard(model, shard)
}

func (l *limited) Delete(model string) error {
	l.stored = -1
	return l.Store.Delete(model)
}

func (l *limited) DeleteAll() error {
	l.stored = -1
	return l.Store.DeleteAll()
}

// overLimit is the refusal of a write past MaxStorageBytes.
type overLimit struct{ limit int64 }

func (e *overLimit) Error() string {
	return fmt.Sprintf("the model needs more than the %s allowed (MaxStorageBytes)", megabytes(e.limit))
}

func (e *overLimit) Unwrap() error { return store.ErrNoSpace }

// megabytes formats n bytes in MB (10⁶ bytes), with the digits a small n
// needs.
func megabytes(n int64) string {
	if n < 100_000 {
		return fmt.Sprintf("%.3g MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

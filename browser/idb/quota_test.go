//go:build js && wasm

package idb

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"
)

// failChunkCommits makes every transaction that stores a chunk abort once
// its chunk is written, reporting a QuotaExceededError as a full disk
// would on commit, until the test ends.
func failChunkCommits(t *testing.T) {
	proto := get(mustGlobal(t, "IDBObjectStore"), "prototype")
	txProto := get(mustGlobal(t, "IDBTransaction"), "prototype")
	object := mustGlobal(t, "Object")
	u8 := mustGlobal(t, "Uint8Array")
	put := get(proto, "put")
	errDesc, _ := object.Call("getOwnPropertyDescriptor", txProto, "error")
	quota, _ := newGlobal("DOMException", "injected", "QuotaExceededError")

	var funcs []safejs.Func
	fn := func(f func(this safejs.Value, args []safejs.Value) any) safejs.Func {
		g, err := safejs.FuncOf(f)
		if err != nil {
			t.Fatal(err)
		}
		funcs = append(funcs, g)
		return g
	}
	getter := fn(func(safejs.Value, []safejs.Value) any { return quota })
	wrapped := fn(func(this safejs.Value, args []safejs.Value) any {
		arr, _ := safejs.ValueOf([]any{})
		for _, a := range args {
			_, _ = arr.Call("push", a)
		}
		r, _ := put.Call("apply", this, arr)
		if ok, _ := arg0(args).InstanceOf(u8); ok {
			tx := get(this, "transaction")
			_, _ = r.Call("addEventListener", "success", fn(func(safejs.Value, []safejs.Value) any {
				_, _ = tx.Call("abort")
				return nil
			}))
		}
		return r
	})
	desc, _ := safejs.ValueOf(map[string]any{"configurable": true})
	_ = desc.Set("get", getter)
	if _, err := object.Call("defineProperty", txProto, "error", desc); err != nil {
		t.Fatal(err)
	}
	_ = proto.Set("put", wrapped)
	t.Cleanup(func() {
		_ = proto.Set("put", put)
		_, _ = object.Call("defineProperty", txProto, "error", errDesc)
		for _, f := range funcs {
			f.Release()
		}
	})
}

// A chunk whose transaction fails leaves the shard as it was, and the
// error wraps ErrQuota and says how many bytes were being written.
func TestQuotaErrorKeepsShard(t *testing.T) {
	const url, shard = "https://example.com/q/", "a.bin"
	s := openFresh(t, freshName(t))
	if err := s.PutManifest(url, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendShard(url, shard, 0, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	failChunkCommits(t)
	err := s.AppendShard(url, shard, 4, make([]byte, 12345))
	if !errors.Is(err, ErrQuota) || !strings.Contains(err.Error(), "12345 bytes") {
		t.Fatalf("AppendShard with the quota exceeded = %v, want an error wrapping ErrQuota naming 12345 bytes", err)
	}
	t.Log(err)
	if n, err := s.ShardSize(url, shard); n != 4 || err != nil {
		t.Fatalf("after the failed append ShardSize = %d, %v; want 4", n, err)
	}
	p := make([]byte, 10)
	if n, err := s.ReadShard(url, shard, 0, p); n != 4 || err != io.EOF || string(p[:4]) != "kept" {
		t.Fatalf("after the failed append ReadShard = %d %q, %v", n, p[:n], err)
	}
}

func mustGlobal(t *testing.T, name string) safejs.Value {
	t.Helper()
	v, err := global(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

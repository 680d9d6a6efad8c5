//go:build js && wasm

package idb

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/store/storetest"
)

var dbSeq atomic.Int64

// freshName is a database name no other test uses; the database is deleted
// when the test ends.
func freshName(t *testing.T) string {
	name := fmt.Sprintf("idbtest-%d-%d", time.Now().UnixNano(), dbSeq.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := DeleteDatabase(ctx, name); err != nil {
			t.Error(err)
		}
	})
	return name
}

// openFresh opens a new, empty database, closed when the test ends.
func openFresh(t *testing.T, name string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t, freshName(t)) })
}

func TestReopenKeepsModels(t *testing.T) {
	name := freshName(t)
	s := openFresh(t, name)
	const url = "https://example.com/m/"
	manifest := []byte(`{"shards":["a.bin"]}`)
	data := bytes.Repeat([]byte("0123456789"), 30000)
	if err := s.PutManifest(url, manifest); err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(data); off += 65536 {
		if err := s.AppendShard(url, "a.bin", int64(off), data[off:min(off+65536, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetComplete(url, true); err != nil {
		t.Fatal(err)
	}
	s.Close()

	r := openFresh(t, name)
	list, err := r.Models()
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ModelInfo{{URL: url, Bytes: int64(len(data)), Complete: true}}
	if len(list) != 1 || list[0] != want[0] {
		t.Fatalf("after reopening, Models() = %+v, want %+v", list, want)
	}
	if got, err := r.Manifest(url); err != nil || !bytes.Equal(got, manifest) {
		t.Fatalf("after reopening, Manifest = %q, %v; want %q", got, err, manifest)
	}
	got := make([]byte, len(data))
	if n, err := r.ReadShard(url, "a.bin", 0, got); n != len(data) || err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after reopening, ReadShard = %d, %v (equal %v)", n, err, bytes.Equal(got, data))
	}
}

// A database made by a newer schema is replaced by an empty one.
func TestNewerSchemaIsReplaced(t *testing.T) {
	name := freshName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	factory, _ := global("indexedDB")
	req, err := factory.Call("open", name, store.SchemaVersion+1)
	if err != nil {
		t.Fatal(err)
	}
	old, err := settle(ctx, req, map[string]func(safejs.Value){"upgradeneeded": func(safejs.Value) {
		_, _ = get(req, "result").Call("createObjectStore", "other")
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = old.Call("close")

	s := openFresh(t, name)
	if v := num(get(s.db, "version")); v != store.SchemaVersion {
		t.Errorf("version after Open = %v, want %d", v, store.SchemaVersion)
	}
	names := get(s.db, "objectStoreNames")
	if n, _ := get(names, "length").Int(); n != 2 {
		t.Errorf("Open left %d object stores, want 2 (models, chunks)", n)
	}
	for _, o := range []string{modelsStore, chunksStore} {
		if ok, _ := names.Call("contains", o); !truthy(ok) {
			t.Errorf("object store %q missing after Open", o)
		}
	}
	if list, err := s.Models(); err != nil || len(list) != 0 {
		t.Errorf("Models() = %v, %v; want none", list, err)
	}
}

func truthy(v safejs.Value) bool {
	b, _ := v.Truthy()
	return b
}

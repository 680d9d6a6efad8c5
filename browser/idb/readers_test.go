//go:build js && wasm

package idb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/runtime/store"
)

// storeShards puts a manifest and the shards into s under url.
func storeShards(t *testing.T, s *Store, url string, shards map[string][]byte) {
	t.Helper()
	if err := s.PutManifest(url, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	for name, data := range shards {
		for off := 0; off < len(data); off += 1 << 20 {
			if err := s.AppendShard(url, name, int64(off), data[off:min(off+1<<20, len(data))]); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// storeAndReadTwice stores data as shard a.bin of url and reads it back
// whole twice.
func storeAndReadTwice(t *testing.T, s *Store, url string, data []byte) {
	t.Helper()
	storeShards(t, s, url, map[string][]byte{"a.bin": data})
	for range 2 {
		got := make([]byte, len(data))
		sum, err := s.ReadShardSHA256(url, "a.bin", got)
		if err != nil || sum != sha256.Sum256(data) || !bytes.Equal(got, data) {
			t.Fatalf("ReadShardSHA256 = %x, %v (bytes equal %v)", sum, err, bytes.Equal(got, data))
		}
	}
}

// The store reader workers serve ReadShardSHA256, with the errors of a
// read on the engine's thread.
func TestReadersServe(t *testing.T) {
	const url = "https://example.com/readers/"
	s := openFresh(t, freshName(t))
	data := bytes.Repeat([]byte("phi2 reader "), 300_000)
	storeShards(t, s, url, map[string][]byte{"a.bin": data})
	got := make([]byte, len(data))
	sum, err := s.ReadShardSHA256(url, "a.bin", got)
	if err != nil || sum != sha256.Sum256(data) || !bytes.Equal(got, data) {
		t.Fatalf("ReadShardSHA256 = %x, %v (bytes equal %v)", sum, err, bytes.Equal(got, data))
	}
	if s.readers.served != 1 {
		t.Fatalf("the workers served %d reads, want 1", s.readers.served)
	}
	if s.readers.shared != 1 {
		t.Errorf("%d reads handed over in a shared buffer, want 1 (the page is cross-origin isolated)", s.readers.shared)
	}
	for _, c := range []struct {
		model, shard string
		size         int
		want         string
	}{
		{url, "a.bin", len(data) - 1, "holds 3600000 bytes, not the 3599999 asked for"},
		{"https://example.com/absent/", "a.bin", 3, "not found"},
	} {
		_, err := s.ReadShardSHA256(c.model, c.shard, make([]byte, c.size))
		_, here := s.readShardSHA256Here(c.model, c.shard, make([]byte, c.size))
		if err == nil || !strings.Contains(err.Error(), c.want) || err.Error() != here.Error() {
			t.Errorf("%s %s, %d bytes: %v; on this thread %v", c.model, c.shard, c.size, err, here)
		}
		if c.want == "not found" && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%v does not wrap store.ErrNotFound", err)
		}
	}
}

// Where the workers cannot run (a script that fails at once, as a worker
// refused by a Content-Security-Policy would) or fail themselves (an
// exception that is not the browser's finding about the store), reads run
// on the engine's thread and give the same bytes.
func TestReadersFallBack(t *testing.T) {
	for name, script := range map[string]string{
		"refused": `throw new Error("refused");`,
		"failing": `IDBKeyRange.bound = () => { throw new TypeError("broken"); };` + "\n" + readerSource,
	} {
		t.Run(name, func(t *testing.T) { testReadersFallBack(t, script) })
	}
}

func testReadersFallBack(t *testing.T, script string) {
	const url = "https://example.com/fallback/"
	source := readerSource
	readerSource = script
	t.Cleanup(func() { readerSource = source })
	s := openFresh(t, freshName(t))
	storeAndReadTwice(t, s, url, bytes.Repeat([]byte{1, 2, 3, 4, 5}, 1<<18))
	if s.readers.served != 0 || !s.readers.broken {
		t.Fatalf("served %d, broken %v: the failing workers were not left", s.readers.served, s.readers.broken)
	}
}

// A reader's connection does not hold up the database's deletion.
func TestReadersYieldToDelete(t *testing.T) {
	const url = "https://example.com/yield/"
	name := freshName(t)
	s := openFresh(t, name)
	storeShards(t, s, url, map[string][]byte{"a.bin": {1, 2, 3}})
	if _, err := s.ReadShardSHA256(url, "a.bin", make([]byte, 3)); err != nil || s.readers.served != 1 {
		t.Fatalf("read: %v, served %d", err, s.readers.served)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := DeleteDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
}

// Without SharedArrayBuffer (a page that is not cross-origin isolated),
// the workers hand the bytes over by transfer.
func TestReadersTransfer(t *testing.T) {
	const url = "https://example.com/transfer/"
	withoutSharedArrayBuffer(t)
	source := readerSource // the workers of such a page lack it too
	readerSource = "delete globalThis.SharedArrayBuffer;\n" + source
	t.Cleanup(func() { readerSource = source })
	s := openFresh(t, freshName(t))
	storeAndReadTwice(t, s, url, bytes.Repeat([]byte{9, 8, 7}, 1<<20))
	if s.readers.served != 2 || s.readers.shared != 0 {
		t.Fatalf("the workers served %d reads, %d in a shared buffer; want 2, none shared", s.readers.served, s.readers.shared)
	}
}

// SHA256 hashes in the store reader workers, through the shared buffer
// (grown for a larger input), and gives crypto/sha256's sum; where the
// workers cannot run, or the page has no shared buffers, it hashes on the
// engine's thread with the same result.
func TestReadersDigest(t *testing.T) {
	inputs := [][]byte{bytes.Repeat([]byte("phi2 digest "), 1<<16), bytes.Repeat([]byte{7, 1}, 3<<20), {}}
	check := func(t *testing.T, s *Store, inWorkers int) {
		t.Helper()
		for _, p := range inputs {
			if sum, err := s.SHA256(p); err != nil || sum != sha256.Sum256(p) {
				t.Errorf("SHA256 of %d bytes = %x, %v", len(p), sum, err)
			}
		}
		if s.readers.digested != inWorkers {
			t.Errorf("%d inputs hashed in the workers, want %d", s.readers.digested, inWorkers)
		}
	}
	check(t, openFresh(t, freshName(t)), len(inputs))
	t.Run("refused", func(t *testing.T) {
		source := readerSource
		readerSource = `throw new Error("refused");`
		t.Cleanup(func() { readerSource = source })
		check(t, openFresh(t, freshName(t)), 0) // closed before every worker said it failed
	})
	t.Run("not isolated", func(t *testing.T) {
		withoutSharedArrayBuffer(t)
		check(t, openFresh(t, freshName(t)), 0)
	})
}

// withoutSharedArrayBuffer hides the global, as in a page that is not
// cross-origin isolated, until the test ends.
func withoutSharedArrayBuffer(t *testing.T) {
	t.Helper()
	global := safejs.Global()
	sab, err := global.Get("SharedArrayBuffer")
	if err != nil {
		t.Fatal(err)
	}
	if err := global.Delete("SharedArrayBuffer"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = global.Set("SharedArrayBuffer", sab) })
}

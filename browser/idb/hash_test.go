//go:build js && wasm

package idb

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// ReadShardSHA256 reads a shard written in many chunks or in one, and
// hashes it as crypto/sha256 does; a wrong size is refused. The rates of
// the hashing read and of a plain read are logged side by side.
func TestReadShardSHA256(t *testing.T) {
	const url = "https://example.com/hash/"
	s := openFresh(t, freshName(t))
	if err := s.PutManifest(url, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 32<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for name, chunk := range map[string]int{"chunks.bin": 1 << 20, "whole.bin": len(data)} {
		for off := 0; off < len(data); off += chunk {
			if err := s.AppendShard(url, name, int64(off), data[off:off+chunk]); err != nil {
				t.Fatal(err)
			}
		}
		got := make([]byte, len(data))
		start := time.Now()
		sum, err := s.ReadShardSHA256(url, name, got)
		d := time.Since(start)
		if err != nil || sum != sha256.Sum256(data) || !bytes.Equal(got, data) {
			t.Fatalf("%s: ReadShardSHA256 = %x, %v (bytes equal %v)", name, sum, err, bytes.Equal(got, data))
		}
		logRate(t, name+": read and hashed natively", len(data), d)
		start = time.Now()
		if n, err := s.ReadShard(url, name, 0, got); n != len(got) || err != nil {
			t.Fatal(n, err)
		}
		logRate(t, name+": read", len(data), time.Since(start))
		start = time.Now()
		sha256.Sum256(got)
		logRate(t, name+": hashed in Go", len(data), time.Since(start))
		if _, err := s.ReadShardSHA256(url, name, got[1:]); err == nil {
			t.Errorf("%s: a buffer of another size was accepted", name)
		}
	}
	if _, err := s.ReadShardSHA256(url, "absent.bin", nil); err != nil {
		t.Errorf("an absent shard of 0 bytes: %v", err)
	}
}

// Two goroutines may read and hash shards at once (store.Hasher).
func TestReadShardSHA256Together(t *testing.T) {
	const url = "https://example.com/together/"
	s := openFresh(t, freshName(t))
	if err := s.PutManifest(url, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	shards := map[string][]byte{}
	for i, name := range []string{"a.bin", "b.bin", "c.bin", "d.bin"} {
		data := bytes.Repeat([]byte{byte(i + 1), 7, byte(3 * i)}, 1<<20)
		if err := s.AppendShard(url, name, 0, data); err != nil {
			t.Fatal(err)
		}
		shards[name] = data
	}
	errs := make(chan error, len(shards))
	for name, data := range shards {
		go func() {
			got := make([]byte, len(data))
			sum, err := s.ReadShardSHA256(url, name, got)
			if err == nil && (sum != sha256.Sum256(data) || !bytes.Equal(got, data)) {
				err = fmt.Errorf("%s: wrong bytes or sum", name)
			}
			errs <- err
		}()
	}
	for range shards {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

//go:build js && wasm

package idb

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/store"
)

// StageShard keeps a shard, hashed, in a worker until it is taken: as
// many at once as Stages says, the next waiting for one to be dropped;
// each is taken once. Refused workers and a page without shared buffers
// stage all the same; a buffer handed over is collected once taken.
func TestStageShard(t *testing.T) {
	const url = "https://example.com/stage/"
	shards := map[string][]byte{}
	for i := range 4 {
		shards[fmt.Sprintf("s%d.bin", i)] = bytes.Repeat([]byte{byte(i), 'p', 'h', 'i'}, 250_000+i)
	}
	check := func(t *testing.T, s *Store, workers, handed bool) {
		storeShards(t, s, url, shards)
		var held []store.StagedShard
		for i := range s.Stages() {
			st, err := s.StageShard(url, fmt.Sprintf("s%d.bin", i), int64(len(shards[fmt.Sprintf("s%d.bin", i)])))
			if err != nil {
				t.Fatalf("StageShard s%d.bin: %v", i, err)
			}
			held = append(held, st)
		}
		last := fmt.Sprintf("s%d.bin", s.Stages())
		got := make(chan store.StagedShard, 1)
		go func() {
			st, err := s.StageShard(url, last, int64(len(shards[last])))
			if err != nil {
				t.Errorf("StageShard %s: %v", last, err)
			}
			got <- st
		}()
		select {
		case st := <-got:
			if workers {
				t.Fatalf("a shard staged beyond the %d the workers hold", s.Stages())
			}
			held = append(held[1:], st) // s0 is not checked below
		case <-time.After(200 * time.Millisecond):
			if !workers {
				t.Fatal("staging without workers waited")
			}
			held[0].Drop()
			held = append(held[1:], <-got)
		}
		for i, st := range held {
			name := fmt.Sprintf("s%d.bin", i+1)
			p := make([]byte, len(shards[name]))
			gcs := collections()
			if err := st.Take(p); err != nil || !bytes.Equal(p, shards[name]) || st.Sum() != sha256.Sum256(p) {
				t.Errorf("Take %s: %v (bytes equal %v, sum %x)", name, err, bytes.Equal(p, shards[name]), st.Sum())
			}
			// A buffer handed over is let go only by a collection of Go's.
			if handed && collections() == gcs {
				t.Errorf("Take %s of a buffer handed over: no collection after it", name)
			}
			if err := st.Take(p); err == nil && workers {
				t.Errorf("%s taken twice", name)
			}
		}
		done := make(chan bool)
		go func() { // every worker is free again
			for i := range s.Stages() {
				name := fmt.Sprintf("s%d.bin", i)
				if st, err := s.StageShard(url, name, int64(len(shards[name]))); err == nil {
					defer st.Drop()
				}
			}
			done <- true
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the taken shards' workers were not freed")
		}
	}
	t.Run("workers", func(t *testing.T) { check(t, openFresh(t, freshName(t)), true, false) })
	t.Run("not isolated", func(t *testing.T) {
		withoutSharedArrayBuffer(t)
		check(t, openFresh(t, freshName(t)), true, true)
	})
	t.Run("refused", func(t *testing.T) {
		source := readerSource
		readerSource = `throw new Error("refused");`
		t.Cleanup(func() { readerSource = source })
		check(t, openFresh(t, freshName(t)), false, false)
	})
}

// collections is the number of Go collections so far.
func collections() uint32 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.NumGC
}

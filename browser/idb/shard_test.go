//go:build js && wasm

package idb

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// A 32 MiB shard written in 1 MiB chunks (arrays), or in chunks of
// which the large ones are stored as Blobs, reads back equal, whole and at
// random offsets; the throughput is logged.
func TestLargeShard(t *testing.T) {
	for _, c := range []struct {
		name   string
		chunks []int
		blobs  int
	}{
		{"1 MiB chunks", slices.Repeat([]int{1 << 20}, 32), 0},
		{"arrays and Blobs", []int{1 << 20, 12 << 20, 5, 19<<20 - 5}, 2},
	} {
		t.Run(c.name, func(t *testing.T) { testLargeShard(t, c.chunks, c.blobs) })
	}
}

func testLargeShard(t *testing.T, chunks []int, blobs int) {
	const (
		url   = "https://example.com/big/"
		shard = "model-00001.bin"
		chunk = 1 << 20
		size  = 32 << 20
	)
	s := openFresh(t, freshName(t))
	if err := s.PutManifest(url, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, size)
	for i := 0; i < size; i += 8 {
		binary.LittleEndian.PutUint64(data[i:], rng.Uint64())
	}
	buf := make([]byte, size) // reused: the store must copy
	start := time.Now()
	off := 0
	for _, n := range chunks {
		copy(buf, data[off:off+n])
		if err := s.AppendShard(url, shard, int64(off), buf[:n]); err != nil {
			t.Fatal(err)
		}
		off += n
	}
	logRate(t, "write", size, time.Since(start))
	if got := storedBlobs(t, s, url, shard); got != blobs {
		t.Fatalf("%d chunks stored as Blobs, want %d", got, blobs)
	}
	sum, err := s.ReadShardSHA256(url, shard, buf)
	_, here := s.readShardSHA256Here(url, shard, buf)
	if err != nil || here != nil || sum != sha256.Sum256(data) || !bytes.Equal(buf, data) {
		t.Fatalf("ReadShardSHA256: %v, on this thread %v, sum right %v, bytes equal %v", err, here, sum == sha256.Sum256(data), bytes.Equal(buf, data))
	}

	got := make([]byte, size)
	start = time.Now()
	if n, err := s.ReadShard(url, shard, 0, got); n != size || err != nil {
		t.Fatalf("ReadShard(whole) = %d, %v", n, err)
	}
	logRate(t, "read (one 32 MiB read)", size, time.Since(start))
	if !bytes.Equal(got, data) {
		t.Fatal("whole shard read back differs")
	}

	clear(got)
	start = time.Now()
	for off := 0; off < size; off += 256 << 10 {
		if n, err := s.ReadShard(url, shard, int64(off), got[off:off+256<<10]); n != 256<<10 || err != nil {
			t.Fatalf("ReadShard(%d) = %d, %v", off, n, err)
		}
	}
	logRate(t, "read (256 KiB reads)", size, time.Since(start))
	if !bytes.Equal(got, data) {
		t.Fatal("shard read back in 256 KiB reads differs")
	}

	start = time.Now()
	read := 0
	for i := 0; i < 40; i++ {
		off := rng.IntN(size + 10)
		n := rng.IntN(3*chunk) + 1
		p := make([]byte, n)
		got, err := s.ReadShard(url, shard, int64(off), p)
		read += got
		want := max(0, min(n, size-off))
		if got != want || !bytes.Equal(p[:got], data[off:off+want]) {
			t.Fatalf("ReadShard(off %d, %d bytes) = %d bytes (want %d), equal %v", off, n, got, want, bytes.Equal(p[:got], data[off:off+want]))
		}
		if (want < n) != (err == io.EOF) || (err != nil && err != io.EOF) {
			t.Fatalf("ReadShard(off %d, %d bytes of %d): err = %v", off, n, size, err)
		}
	}
	logRate(t, "read (40 at random offsets, up to 3 MiB)", read, time.Since(start))
}

// storedBlobs counts the chunks of shard stored as Blobs.
func storedBlobs(t *testing.T, s *Store, model, shard string) int {
	t.Helper()
	tx, err := s.begin("readonly", "counting Blobs")
	if err != nil {
		t.Fatal(err)
	}
	all := tx.req(tx.chunks, "getAll", allOf(model, shard))
	if err := tx.wait(); err != nil {
		t.Fatal(err)
	}
	blob, _ := global("Blob")
	values := get(all, "result")
	count, _ := values.Length()
	n := 0
	for i := range count {
		v, _ := values.Index(i)
		if ok, _ := v.InstanceOf(blob); ok {
			n++
		}
	}
	return n
}

func logRate(t *testing.T, what string, n int, d time.Duration) {
	t.Logf("%s: %d MiB in %v, %.0f MB/s", what, n>>20, d.Round(time.Millisecond), float64(n)/1e6/d.Seconds())
}

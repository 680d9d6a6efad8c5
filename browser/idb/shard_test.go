//go:build js && wasm

package idb

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// A 32 MiB shard written in 1 MiB chunks reads back equal, whole and at
// random offsets; the throughput is logged.
func TestLargeShard(t *testing.T) {
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
	buf := make([]byte, chunk) // reused: the store must copy
	start := time.Now()
	for off := 0; off < size; off += chunk {
		copy(buf, data[off:])
		if err := s.AppendShard(url, shard, int64(off), buf); err != nil {
			t.Fatal(err)
		}
	}
	logRate(t, "write (1 MiB appends)", size, time.Since(start))

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

func logRate(t *testing.T, what string, n int, d time.Duration) {
	t.Logf("%s: %d MiB in %v, %.0f MB/s", what, n>>20, d.Round(time.Millisecond), float64(n)/1e6/d.Seconds())
}

package storetest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

func testAppendOffset(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	for _, off := range []int64{1, -1} {
		err := s.AppendShard(urlA, "s0", off, []byte{9})
		if err == nil || errors.Is(err, store.ErrNotFound) {
			t.Errorf("AppendShard at offset %d of an empty shard = %v, want an offset error", off, err)
		}
	}
	checkShard(t, s, urlA, "s0", nil)
	data := appendAll(t, s, urlA, "s0", pattern(1, 100), pattern(2, 100))
	for _, off := range []int64{0, 100, 199, 201, 1 << 40} {
		if err := s.AppendShard(urlA, "s0", off, pattern(3, 10)); err == nil {
			t.Errorf("AppendShard at offset %d of a 200-byte shard succeeded", off)
		}
	}
	if err := s.AppendShard(urlA, "s0", 300, nil); err == nil {
		t.Error("an empty AppendShard at a wrong offset succeeded")
	}
	must(t, s.AppendShard(urlA, "s0", 200, nil)) // empty, at the right offset
	checkShard(t, s, urlA, "s0", data)
	data = append(data, appendAll(t, s, urlA, "s0", pattern(4, 1))...)
	checkShard(t, s, urlA, "s0", data)
}

func testReadAcrossChunks(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	sizes := []int{1, 1000, 7, 4096, 333, 65536 + 5, 2}
	var chunks [][]byte
	for i, n := range sizes {
		chunks = append(chunks, pattern(10+i, n))
	}
	data := appendAll(t, s, urlA, "s0", chunks...)
	checkShard(t, s, urlA, "s0", data)

	// Reads starting and ending inside, at and around every chunk boundary.
	var cuts []int
	at := 0
	for _, n := range sizes {
		at += n
		cuts = append(cuts, at)
	}
	for _, start := range []int{0, 1, 2, 500, 1000, 1001, 1008, 3000, 5104, 5437, 5438, 40000} {
		for _, end := range append(cuts, start+1, start+4097, len(data)-1) {
			if end <= start || end > len(data) {
				continue
			}
			p := make([]byte, end-start)
			n, err := s.ReadShard(urlA, "s0", int64(start), p)
			if n != len(p) || (err != nil && !(err == io.EOF && end == len(data))) {
				t.Fatalf("ReadShard(%d, %d bytes) = %d, %v", start, len(p), n, err)
			}
			if !bytes.Equal(p, data[start:end]) {
				t.Fatalf("ReadShard(%d, %d bytes): wrong bytes from %d on", start, len(p), start+firstDiff(p, data[start:end]))
			}
		}
	}
}

func testReadPastEnd(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	if n, err := s.ReadShard(urlA, "never", 0, make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("ReadShard of a shard never stored = %d, %v; want 0, io.EOF", n, err)
	}
	data := appendAll(t, s, urlA, "s0", pattern(1, 40), pattern(2, 60))
	p := make([]byte, 30)
	n, err := s.ReadShard(urlA, "s0", 80, p)
	if n != 20 || err != io.EOF || !bytes.Equal(p[:n], data[80:]) {
		t.Errorf("ReadShard(80, 30 bytes) of 100 = %d, %v; want the last 20 bytes and io.EOF", n, err)
	}
	for _, off := range []int64{100, 1000} {
		if n, err := s.ReadShard(urlA, "s0", off, p); n != 0 || err != io.EOF {
			t.Errorf("ReadShard(%d) of 100 bytes = %d, %v; want 0, io.EOF", off, n, err)
		}
	}
	if _, err := s.ReadShard(urlA, "s0", -1, p); err == nil || err == io.EOF {
		t.Errorf("ReadShard at offset -1 = %v, want an error", err)
	}
}

func testBuffersCopied(t *testing.T, s store.Store) {
	m := bytes.Clone(manifest1)
	putManifest(t, s, urlA, m)
	m[0] = 'X'
	got, err := s.Manifest(urlA)
	must(t, err)
	got[1] = 'Y'
	if again, _ := s.Manifest(urlA); !bytes.Equal(again, manifest1) {
		t.Errorf("stored manifest changed with the caller's buffers: %q", again)
	}
	chunk := pattern(1, 64)
	want := bytes.Clone(chunk)
	must(t, s.AppendShard(urlA, "s0", 0, chunk))
	chunk[0] ^= 0xff
	p := make([]byte, 64)
	s.ReadShard(urlA, "s0", 0, p)
	p[1] ^= 0xff
	checkShard(t, s, urlA, "s0", want)
}

func testDeleteShard(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	appendAll(t, s, urlA, "s0", pattern(1, 100), pattern(2, 100))
	s1 := appendAll(t, s, urlA, "s1", pattern(3, 10))
	must(t, s.SetVerified(urlA, "s0", true))
	must(t, s.SetVerified(urlA, "s1", true))
	must(t, s.DeleteShard(urlA, "s0"))
	checkShard(t, s, urlA, "s0", nil)
	if verified(t, s, urlA, "s0") {
		t.Error("a deleted shard is still verified")
	}
	checkShard(t, s, urlA, "s1", s1)
	if !verified(t, s, urlA, "s1") {
		t.Error("deleting a shard cleared another's verified mark")
	}
	must(t, s.DeleteShard(urlA, "s0"))    // again
	must(t, s.DeleteShard(urlA, "never")) // never stored
	checkModels(t, s, store.ModelInfo{URL: urlA, Bytes: 10})
	if err := s.AppendShard(urlA, "s0", 200, []byte{1}); err == nil {
		t.Error("a deleted shard accepts an append at its old size")
	}
	data := appendAll(t, s, urlA, "s0", pattern(4, 33))
	checkShard(t, s, urlA, "s0", data)
}

func testVerified(t *testing.T, s store.Store) {
	putManifest(t, s, urlA, manifest1)
	if verified(t, s, urlA, "s0") {
		t.Error("a shard never stored is verified")
	}
	appendAll(t, s, urlA, "s0", pattern(1, 10))
	appendAll(t, s, urlA, "s1", pattern(2, 10))
	if verified(t, s, urlA, "s0") {
		t.Error("a shard is verified before SetVerified")
	}
	must(t, s.SetVerified(urlA, "s0", true))
	if !verified(t, s, urlA, "s0") || verified(t, s, urlA, "s1") {
		t.Error("SetVerified(s0, true) did not mark s0 alone")
	}
	must(t, s.SetVerified(urlA, "s0", false))
	if verified(t, s, urlA, "s0") {
		t.Error("SetVerified(false) left the shard verified")
	}
	must(t, s.SetVerified(urlA, "s0", true))
	must(t, s.AppendShard(urlA, "s0", 10, nil))
	if !verified(t, s, urlA, "s0") {
		t.Error("an empty append cleared the verified mark")
	}
	appendAll(t, s, urlA, "s0", pattern(3, 1))
	if verified(t, s, urlA, "s0") {
		t.Error("appending bytes left the shard verified")
	}
}

// testShards: a Lister reports for every shard what ShardSize and
// Verified do.
func testShards(t *testing.T, s store.Store) {
	l, ok := s.(store.Lister)
	if !ok {
		t.Skip("the store lists no shards (store.Lister)")
	}
	if _, err := l.Shards(urlA); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Shards of a model never stored: %v, want ErrNotFound", err)
	}
	putManifest(t, s, urlA, manifest1)
	appendAll(t, s, urlA, "s0", pattern(1, 10))
	appendAll(t, s, urlA, "s1", pattern(2, 7))
	must(t, s.SetVerified(urlA, "s1", true))
	putManifest(t, s, urlB, manifest1)
	appendAll(t, s, urlB, "other", pattern(3, 5))
	got, err := l.Shards(urlA)
	must(t, err)
	want := map[string]store.ShardState{"s0": {Size: 10}, "s1": {Size: 7, Verified: true}}
	if len(got) != len(want) || got["s0"] != want["s0"] || got["s1"] != want["s1"] {
		t.Errorf("Shards = %v, want %v", got, want)
	}
	must(t, s.DeleteShard(urlA, "s0"))
	if got, err := l.Shards(urlA); err != nil || len(got) != 1 || got["s1"] != want["s1"] {
		t.Errorf("Shards after deleting s0 = %v, %v", got, err)
	}
}

// testReplaceShard: a Replacer's ReplaceShard leaves exactly the new
// bytes, verified, drops the shards named with them and touches no other.
func testReplaceShard(t *testing.T, s store.Store) {
	r, ok := s.(store.Replacer)
	if !ok {
		t.Skip("the store has no one-step shard write (store.Replacer)")
	}
	if err := r.ReplaceShard(urlA, "s0", pattern(1, 4)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReplaceShard in a model never stored: %v, want ErrNotFound", err)
	}
	putManifest(t, s, urlA, manifest1)
	appendAll(t, s, urlA, "s0", pattern(2, 9), pattern(3, 9))
	must(t, s.SetVerified(urlA, "s0", true))
	appendAll(t, s, urlA, "s0.br", pattern(4, 6))
	appendAll(t, s, urlA, "s1", pattern(5, 3))
	putManifest(t, s, urlB, manifest1)
	appendAll(t, s, urlB, "s0.br", pattern(6, 5))
	data := pattern(7, 11)
	must(t, r.ReplaceShard(urlA, "s0", data, "s0.br"))
	checkShard(t, s, urlA, "s0", data)
	if !verified(t, s, urlA, "s0") {
		t.Error("the replaced shard is not verified")
	}
	if n := shardSize(t, s, urlA, "s0.br"); n != 0 || verified(t, s, urlA, "s0.br") {
		t.Errorf("the dropped shard holds %d bytes (verified %v), want none", n, verified(t, s, urlA, "s0.br"))
	}
	checkShard(t, s, urlA, "s1", pattern(5, 3))
	checkShard(t, s, urlB, "s0.br", pattern(6, 5))
}

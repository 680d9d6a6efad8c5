// Package storetest is the conformance suite of store.Store: every
// implementation runs it from its own tests with
//
//	storetest.Run(t, func(t *testing.T) store.Store { return newEmptyStore(t) })
//
// Beyond the interface's comments, the suite holds a store to these rules:
//   - An entry exists from PutManifest until Delete. On a model without an
//     entry every method but PutManifest, Delete and DeleteAll fails with
//     an error wrapping store.ErrNotFound; Delete and DeleteAll of nothing
//     succeed.
//   - PutManifest with the bytes already stored changes nothing; with other
//     bytes it drops the shards, their verified marks and completeness.
//     RewriteManifest keeps the shards and their verified marks, and
//     clears completeness, whatever the bytes.
//   - A shard never appended to has size 0, reads as empty (io.EOF) and is
//     not verified. AppendShard at an offset other than the stored size
//     fails without writing; appending bytes clears the shard's verified
//     mark, as does DeleteShard; deleting an absent shard succeeds.
//   - ReadShard behaves as io.ReaderAt: a read reaching past the stored
//     bytes returns what there is and io.EOF; a negative offset is an error.
//   - Stored data is copied in and out: callers may reuse their buffers.
//   - Models lists each entry once with its URL, the sum of its shard sizes
//     and its completeness. Model URLs are arbitrary strings; shard names
//     are plain file names ([A-Za-z0-9._-], as in a manifest).
//   - Estimate succeeds with non-negative numbers.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

// Run runs the suite; open must return a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		f    func(*testing.T, store.Store)
	}{
		{"AbsentModel", testAbsentModel},
		{"Manifest", testManifest},
		{"SameManifestKeepsShards", testSameManifest},
		{"ReplaceManifestDropsShards", testReplaceManifest},
		{"RewriteManifestKeepsShards", testRewriteManifest},
		{"AppendOffset", testAppendOffset},
		{"ReadAcrossChunks", testReadAcrossChunks},
		{"ReadPastEnd", testReadPastEnd},
		{"BuffersAreCopied", testBuffersCopied},
		{"ShardsAndModelsAreSeparate", testSeparate},
		{"DeleteShard", testDeleteShard},
		{"Verified", testVerified},
		{"Shards", testShards},
		{"ReplaceShard", testReplaceShard},
		{"CompleteAndModels", testCompleteAndModels},
		{"Delete", testDelete},
		{"DeleteAll", testDeleteAll},
		{"Estimate", testEstimate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

// Model URLs that a store must keep apart and give back unchanged.
const (
	urlA = "https://example.com/models/phi-2-q4/"
	urlB = "https://example.com/models/phi-2-Q4/"
	urlC = "http://127.0.0.1:8080/a b/ü?x=1&y=../../etc#frag"
)

var (
	manifest1 = []byte(`{"format":"phi2web-model","version":1,"note":"first"}`)
	manifest2 = []byte(`{"format":"phi2web-model","version":1,"note":"second"}`)
)

// pattern returns n deterministic bytes that differ with seed and position.
func pattern(seed, n int) []byte {
	p := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range p {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func putManifest(t *testing.T, s store.Store, url string, data []byte) {
	t.Helper()
	must(t, s.PutManifest(url, data))
}

// appendAll appends chunks to shard starting at its stored size and
// returns the bytes they make.
func appendAll(t *testing.T, s store.Store, url, shard string, chunks ...[]byte) []byte {
	t.Helper()
	off := shardSize(t, s, url, shard)
	var all []byte
	for _, c := range chunks {
		must(t, s.AppendShard(url, shard, off, c))
		off += int64(len(c))
		all = append(all, c...)
	}
	return all
}

func shardSize(t *testing.T, s store.Store, url, shard string) int64 {
	t.Helper()
	n, err := s.ShardSize(url, shard)
	must(t, err)
	return n
}

// readAll reads a whole shard back, in reads of at most step bytes.
func readAll(t *testing.T, s store.Store, url, shard string, step int) []byte {
	t.Helper()
	size := shardSize(t, s, url, shard)
	out := make([]byte, size)
	for off := 0; off < len(out); off += step {
		p := out[off:min(off+step, len(out))]
		n, err := s.ReadShard(url, shard, int64(off), p)
		if n != len(p) || (err != nil && err != io.EOF) {
			t.Fatalf("ReadShard(%s, %d, %d bytes) = %d, %v", shard, off, len(p), n, err)
		}
	}
	return out
}

func checkShard(t *testing.T, s store.Store, url, shard string, want []byte) {
	t.Helper()
	if n := shardSize(t, s, url, shard); n != int64(len(want)) {
		t.Fatalf("ShardSize(%s) = %d, want %d", shard, n, len(want))
	}
	if got := readAll(t, s, url, shard, 1000); !bytes.Equal(got, want) {
		t.Fatalf("shard %s: stored bytes differ from those appended (first difference at %d)", shard, firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func verified(t *testing.T, s store.Store, url, shard string) bool {
	t.Helper()
	ok, err := s.Verified(url, shard)
	must(t, err)
	return ok
}

func models(t *testing.T, s store.Store) []store.ModelInfo {
	t.Helper()
	list, err := s.Models()
	must(t, err)
	slices.SortFunc(list, byURL)
	return list
}

func checkModels(t *testing.T, s store.Store, want ...store.ModelInfo) {
	t.Helper()
	slices.SortFunc(want, byURL)
	if got := models(t, s); !slices.Equal(got, want) {
		t.Fatalf("Models() = %s, want %s", showModels(got), showModels(want))
	}
}

func byURL(a, b store.ModelInfo) int { return strings.Compare(a.URL, b.URL) }

func showModels(list []store.ModelInfo) string {
	var b bytes.Buffer
	for _, m := range list {
		fmt.Fprintf(&b, "{%q %d bytes complete=%v}", m.URL, m.Bytes, m.Complete)
	}
	return "[" + b.String() + "]"
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s = %v, want an error wrapping store.ErrNotFound", what, err)
	}
}

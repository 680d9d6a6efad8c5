package modeldir

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// rawSource is dir's model with every shard decoded, as a store keeps it.
func rawSource(t *testing.T, dir string) weights.MemSource {
	t.Helper()
	src := readDir(t, dir)
	m, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Shards() {
		raw := make([]byte, s.RawSize)
		if err := DecodeShard(s, src[s.File], raw, nil); err != nil {
			t.Fatal(err)
		}
		src[s.File] = raw
	}
	return src
}

// hashingFile is a RawFile that counts its hashes.
type hashingFile struct {
	weights.File
	sums *int
}

func (f hashingFile) ReadAllSHA256(p []byte) ([32]byte, error) {
	*f.sums++
	n, err := f.ReadAt(p, 0)
	return sha256.Sum256(p[:n]), err
}

type hashingSource struct {
	weights.MemSource
	sums *int
}

func (s hashingSource) Open(name string) (weights.File, error) {
	f, err := s.MemSource.Open(name)
	if err != nil || name == ManifestFile {
		return f, err
	}
	return hashingFile{f, s.sums}, nil
}

// A source of decoded shards gives the tensors of the compressed one,
// through a RawFile's own hash when it has one, with no decoding.
func TestRawShards(t *testing.T) {
	dir := writeDir(t, testTensors(t, 2), WriterOptions{ShardSize: corruptShardSize})
	want, _, err := collect(mustOpen(t, readDir(t, dir), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	src := rawSource(t, dir)
	var g goCodec
	got, _, err := collect(mustOpen(t, src, Options{Raw: true, Codec: g.codec()}))
	if err != nil || !maps.EqualFunc(got, want, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Fatalf("decoded shards: %d tensors, %v; want the %d of the directory", len(got), err, len(want))
	}
	if g.decodes != 0 || g.sums == 0 {
		t.Errorf("%d decodes and %d hashes through the codec, want none and one per shard", g.decodes, g.sums)
	}
	sums := 0
	if _, _, err := collect(mustOpen(t, hashingSource{src, &sums}, Options{Raw: true})); err != nil || sums == 0 {
		t.Errorf("through RawFile: %v after %d hashes", err, sums)
	}
	for _, readers := range []int{2, 3, 100} {
		got, _, err := collect(mustOpen(t, src, Options{Raw: true, Readers: readers}))
		if err != nil || !maps.EqualFunc(got, want, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Errorf("%d readers: %d tensors, %v; want the %d of the directory", readers, len(got), err, len(want))
		}
	}
}

// A decoded shard changed after it was stored is named before any tensor
// in it is used.
func TestRawShardsCorrupt(t *testing.T) {
	dir := writeDir(t, testTensors(t, 2), WriterOptions{ShardSize: corruptShardSize})
	name := ShardName(badShard)
	for _, c := range []struct {
		name   string
		damage func(src weights.MemSource)
		want   string
	}{
		{"flipped byte", func(src weights.MemSource) { src[name][7] ^= 0x40 }, name + ": sha256 of the decompressed bytes mismatch"},
		{"truncated", func(src weights.MemSource) { src[name] = src[name][:100] }, name + ": truncated: 100 of 1024 decoded bytes"},
		{"longer", func(src weights.MemSource) { src[name] = append(src[name], 1) }, name + ": 1025 decoded bytes, manifest.json says 1024"},
		{"missing", func(src weights.MemSource) { delete(src, name) }, name + ": missing"},
	} {
		for _, readers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s, %d readers", c.name, readers), func(t *testing.T) {
				src := rawSource(t, dir)
				c.damage(src)
				checkStopsAtBadShard(t, mustOpen(t, src, Options{Raw: true, Readers: readers}), c.want)
			})
		}
	}
}

// DecodeShard refuses bytes that do not decode to the raw sha256.
func TestDecodeShardMismatch(t *testing.T) {
	dir := writeDir(t, testTensors(t, 2), WriterOptions{ShardSize: corruptShardSize})
	src := readDir(t, dir)
	s := mustOpen(t, src, Options{}).Shards()[badShard]
	s.RawSHA256 = strings.Repeat("0", 64)
	err := DecodeShard(s, src[s.File], make([]byte, s.RawSize), nil)
	if err == nil || !strings.Contains(err.Error(), s.File+": sha256 of the decompressed bytes mismatch") {
		t.Errorf("DecodeShard with another raw sha256: %v", err)
	}
}

func mustOpen(t *testing.T, src weights.Source, o Options) *Model {
	t.Helper()
	m, err := OpenWith(src, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// watchedSource counts the files it opens, atomically.
type watchedSource struct {
	weights.MemSource
	opens *atomic.Int32
}

func (s watchedSource) Open(name string) (weights.File, error) {
	s.opens.Add(1)
	return s.MemSource.Open(name)
}

// Each that stops early (the callback fails) returns only once the
// read-ahead no longer uses the source, so that the caller may use it.
func TestRawReadAheadStops(t *testing.T) {
	dir := writeDir(t, testTensors(t, 2), WriterOptions{ShardSize: corruptShardSize})
	var opens atomic.Int32
	m := mustOpen(t, watchedSource{rawSource(t, dir), &opens}, Options{Raw: true, Readers: 2})
	stop := errors.New("stop")
	if err := m.Each(func(string, tensor.DType, []int, []byte) error { return stop }); err != stop {
		t.Fatalf("Each = %v, want the callback's error", err)
	}
	after := opens.Load()
	time.Sleep(50 * time.Millisecond)
	if n := opens.Load(); n != after || int(n) > len(m.Shards()) {
		t.Errorf("%d files opened at return, %d later, of %d shards and the manifest; want the read-ahead stopped before the end, and nothing after", after, n, len(m.Shards()))
	}
}

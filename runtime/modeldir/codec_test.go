package modeldir

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/weights"
)

// goCodec is a Codec built from the Go brotli decoder and crypto/sha256,
// counting its calls.
type goCodec struct{ decodes, sums int }

func (g *goCodec) codec() *Codec {
	return &Codec{Decompress: g.decompress, Sum256: func(p []byte) [32]byte {
		g.sums++
		return sha256.Sum256(p)
	}}
}

func (g *goCodec) decompress(dst, src []byte) (int, error) {
	g.decodes++
	return Decompress(dst, src)
}

// TestCorruptShardsThroughCodec: every corruption is caught, with the same
// message, when a codec decompresses and hashes.
func TestCorruptShardsThroughCodec(t *testing.T) {
	testCorruptShards(t, Options{Codec: new(goCodec).codec()})
}

// TestCodecReadsEveryShard: through a codec the tensors are those written,
// each shard is decompressed once and hashed twice.
func TestCodecReadsEveryShard(t *testing.T) {
	ts := testTensors(t, 3)
	dir := writeDir(t, ts, WriterOptions{ShardSize: 1024})
	g := new(goCodec)
	m, err := OpenWith(weights.Dir(dir), Options{Codec: g.codec()})
	if err != nil {
		t.Fatal(err)
	}
	got, order, err := collect(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != len(ts) {
		t.Fatalf("%d tensors, want %d", len(order), len(ts))
	}
	for i, s := range ts {
		if order[i] != s.name || !bytes.Equal(got[s.name], s.data) {
			t.Fatalf("tensor %d: %s differs from %s as written", i, order[i], s.name)
		}
	}
	if n := len(m.Shards()); g.decodes != n || g.sums != 2*n {
		t.Errorf("codec: %d decodes and %d sums for %d shards, want %d and %d", g.decodes, g.sums, n, n, 2*n)
	}
}

// TestCodecFailures: a codec that fails, miscounts or writes wrong bytes
// on shard 3 stops Each there with a message naming the shard.
func TestCodecFailures(t *testing.T) {
	dir := writeDir(t, testTensors(t, 4), WriterOptions{ShardSize: corruptShardSize})
	name := ShardName(badShard)
	for _, c := range []struct {
		name string
		bad  func(dst []byte, n int, err error) (int, error)
		want string
	}{
		{"error", func([]byte, int, error) (int, error) { return 0, errors.New("boom") },
			name + ": invalid brotli data (boom), though the file matches its sha256: " + redo},
		{"short count", func(_ []byte, n int, _ error) (int, error) { return n - 1, nil },
			name + ": decompresses to 1023 bytes, manifest.json says 1024, though the file matches its sha256"},
		{"count past the buffer", func(_ []byte, n int, _ error) (int, error) { return n + 1, nil },
			name + ": the brotli decoder reports 1025 bytes written to a 1024-byte buffer"},
		{"negative count", func([]byte, int, error) (int, error) { return -1, nil },
			name + ": the brotli decoder reports -1 bytes written"},
		{"does not fit", func([]byte, int, error) (int, error) { return corruptShardSize, io.ErrShortBuffer },
			name + ": decompresses to more than 1024 bytes"},
		{"ends early", func([]byte, int, error) (int, error) { return 7, io.ErrUnexpectedEOF },
			name + ": brotli stream ends early"},
		{"wrong bytes", func(dst []byte, n int, err error) (int, error) {
			dst[9] ^= 0x80
			return n, err
		}, name + ": sha256 of the decompressed bytes mismatch (file is corrupt): " + redo},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := new(goCodec)
			codec := g.codec()
			codec.Decompress = func(dst, src []byte) (int, error) {
				n, err := g.decompress(dst, src)
				if g.decodes == badShard+1 {
					return c.bad(dst, n, err)
				}
				return n, err
			}
			m, err := OpenWith(weights.Dir(dir), Options{Codec: codec})
			if err != nil {
				t.Fatal(err)
			}
			checkStopsAtBadShard(t, m, c.want)
		})
	}
}

// failingSource fails reads of one file after Size reports it whole.
type failingSource struct {
	weights.Source
	name string
}

type failingFile struct{ weights.File }

func (failingFile) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func (s failingSource) Open(name string) (weights.File, error) {
	f, err := s.Source.Open(name)
	if err == nil && name == s.name {
		f = failingFile{f}
	}
	return f, err
}

// TestShardReadFails: a read error is reported as one, with and without a
// codec, and stops Each at that shard.
func TestShardReadFails(t *testing.T) {
	dir := writeDir(t, testTensors(t, 5), WriterOptions{ShardSize: corruptShardSize})
	src := failingSource{weights.Dir(dir), ShardName(badShard)}
	for _, o := range []Options{{}, {Codec: new(goCodec).codec()}} {
		t.Run(fmt.Sprintf("codec=%v", o.Codec != nil), func(t *testing.T) {
			m, err := OpenWith(src, o)
			if err != nil {
				t.Fatal(err)
			}
			checkStopsAtBadShard(t, m, ShardName(badShard)+": read: disk on fire")
		})
	}
}

// TestOpenWithIncompleteCodec: a codec must supply both functions.
func TestOpenWithIncompleteCodec(t *testing.T) {
	dir := writeDir(t, testTensors(t, 6), WriterOptions{})
	for _, c := range []*Codec{{Sum256: sha256.Sum256}, {Decompress: new(goCodec).decompress}} {
		if _, err := OpenWith(weights.Dir(dir), Options{Codec: c}); err == nil || !strings.Contains(err.Error(), "needs both") {
			t.Errorf("OpenWith(%+v) = %v, want an error", c, err)
		}
	}
}

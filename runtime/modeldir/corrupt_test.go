package modeldir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

const badShard = 3

// TestCorruptShards damages shard 3 of a many-shard directory in each way
// a download or disk can, and checks that Open still succeeds (the manifest
// is fine), that Each fails with a one-line message naming the shard, and
// that no tensor touching shard 3 reaches the callback while every tensor
// before it does.
func TestCorruptShards(t *testing.T) {
	testCorruptShards(t, Options{})
}

// corruption is one way of damaging shard badShard.
type corruption struct {
	name   string
	damage func(src weights.MemSource)
	want   string
}

// testCorruptShards runs every corruption through a model opened with o.
func testCorruptShards(t *testing.T, o Options) {
	dir := writeDir(t, testTensors(t, 2), WriterOptions{ShardSize: corruptShardSize})
	for _, c := range corruptions(t) {
		t.Run(c.name, func(t *testing.T) {
			src := readDir(t, dir)
			c.damage(src)
			m, err := OpenWith(src, o)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			checkStopsAtBadShard(t, m, c.want)
		})
	}
}

const corruptShardSize = 1024

func corruptions(t *testing.T) []corruption {
	name := ShardName(badShard)
	return []corruption{
		{"flipped byte", func(src weights.MemSource) {
			src[name][len(src[name])/2] ^= 0x10
		}, name + ": sha256 mismatch (file is corrupt or incomplete): delete the model directory and download or convert it again"},
		{"raw bytes differ, compressed hash matches", func(src weights.MemSource) {
			raw := decompress(t, src[name])
			raw[100] ^= 1
			replaceShard(t, src, raw, false)
		}, name + ": sha256 of the decompressed bytes mismatch"},
		{"raw size differs, compressed hash matches", func(src weights.MemSource) {
			raw := decompress(t, src[name])
			replaceShard(t, src, raw[:len(raw)-1], false)
		}, name + ": decompresses to 1023 bytes, manifest.json says 1024"},
		{"raw size larger, compressed hash matches", func(src weights.MemSource) {
			raw := decompress(t, src[name])
			replaceShard(t, src, append(raw, 0), false)
		}, name + ": decompresses to more than 1024 bytes"},
		{"not brotli, compressed hash matches", func(src weights.MemSource) {
			replaceShard(t, src, []byte("plain text, not a brotli stream at all"), true)
		}, name + ": invalid brotli data (brotli: "},
		{"truncated", func(src weights.MemSource) {
			src[name] = src[name][:len(src[name])-7]
		}, name + ": truncated: "},
		{"truncated, manifest edited to match", func(src weights.MemSource) {
			replaceShard(t, src, src[name][:len(src[name])-7], true)
		}, name + ": brotli stream ends early"},
		{"longer than listed", func(src weights.MemSource) {
			src[name] = append(src[name], 0)
		}, name + ": "},
		{"missing", func(src weights.MemSource) {
			delete(src, name)
		}, name + ": missing from the model directory"},
	}
}

// checkStopsAtBadShard runs Each and insists on an error containing want
// after exactly the tensors that end before shard badShard.
func checkStopsAtBadShard(t *testing.T, m *Model, want string) {
	t.Helper()
	var got []string
	err := m.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		got = append(got, name)
		return nil
	})
	checkMessage(t, err, want)
	var before []string
	for _, ti := range m.Tensors() {
		if (int64(ti.Shard)*corruptShardSize+ti.Offset+ti.Length-1)/corruptShardSize < badShard {
			before = append(before, ti.Name)
		}
	}
	if strings.Join(got, " ") != strings.Join(before, " ") {
		t.Errorf("callback got %v, want exactly the tensors before shard %d: %v", got, badShard, before)
	}
}

// checkMessage insists on a one-line error containing want.
func checkMessage(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("no error, want %q", want)
	case strings.ContainsAny(err.Error(), "\n\r"):
		t.Fatalf("error spans lines: %q", err)
	case strings.Contains(err.Error(), "Go "):
		t.Fatalf("error names a Go type: %q", err)
	case !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
	t.Log(err)
}

func decompress(t *testing.T, data []byte) []byte {
	t.Helper()
	raw, err := io.ReadAll(brotli.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// replaceShard stores new bytes as the bad shard (compressed unless asIs)
// and makes the manifest's compressed size and hash match them, so that only
// the checks after decompression can notice.
func replaceShard(t *testing.T, src weights.MemSource, data []byte, asIs bool) {
	t.Helper()
	if !asIs {
		var b bytes.Buffer
		w := brotli.NewWriterLevel(&b, 1)
		w.Write(data)
		w.Close()
		data = b.Bytes()
	}
	src[ShardName(badShard)] = data
	sum := sha256.Sum256(data)
	editManifest(t, src, func(m *manifestJSON) {
		m.Shards[badShard].CompressedSize = int64(len(data))
		m.Shards[badShard].CompressedSHA256 = hex.EncodeToString(sum[:])
	})
}

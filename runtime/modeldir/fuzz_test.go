package modeldir

import (
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// FuzzManifest checks that the manifest parser never panics, reports
// errors on one line, and accepts only manifests that satisfy the format's
// invariants, checked here independently of the parser.
func FuzzManifest(f *testing.F) {
	ts := testTensors(f, 9)
	// Manifests the writer makes are seeded here, so they follow it; the
	// other seeds, hostile inputs among them, are in testdata/fuzz/FuzzManifest.
	for _, size := range []int64{4096, DefaultShardSize} {
		f.Add(readDir(f, writeDir(f, ts, WriterOptions{ShardSize: size, Quality: 1}))[ManifestFile])
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data)
		if err != nil {
			if m != nil {
				t.Fatal("model returned with an error")
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		checkInvariants(t, m)
	})
}

func checkInvariants(t *testing.T, m *Model) {
	cfg := m.Config()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	again, err := weights.ParseConfig(m.Meta().ConfigJSON)
	if err != nil || again != cfg {
		t.Fatalf("ConfigJSON parses to %+v, %v; want %+v", again, err, cfg)
	}
	size := m.ShardSize()
	if size <= 0 || size > MaxShardSize || size%Alignment != 0 {
		t.Fatalf("shard size %d", size)
	}
	shards := m.Shards()
	if len(shards) == 0 {
		t.Fatal("no shards")
	}
	var stream int64
	for i, s := range shards {
		if i < len(shards)-1 && s.RawSize != size || s.RawSize <= 0 || s.RawSize > size {
			t.Fatalf("shard %d: raw size %d with shard size %d", i, s.RawSize, size)
		}
		if s.CompressedSize <= 0 || len(s.RawSHA256) != 64 || len(s.CompressedSHA256) != 64 {
			t.Fatalf("shard %d: %+v", i, s)
		}
		if s.File == "" || strings.ContainsAny(s.File, `/\`) || strings.Contains(s.File, "..") {
			t.Fatalf("shard %d: file %q", i, s.File)
		}
		stream += s.RawSize
	}

	expected := cfg.Expected()
	tensors := m.Tensors()
	if len(tensors) != len(expected) {
		t.Fatalf("%d tensors, config expects %d", len(tensors), len(expected))
	}
	want := map[string][]int{}
	for _, s := range expected {
		want[s.Name] = s.Shape
	}
	var end int64
	for _, ti := range tensors {
		shape, ok := want[ti.Name]
		if !ok || len(shape) != len(ti.Shape) || shape[0] != ti.Shape[0] || len(shape) == 2 && shape[1] != ti.Shape[1] {
			t.Fatalf("tensor %q %v not expected (or twice)", ti.Name, ti.Shape)
		}
		delete(want, ti.Name)
		rows, cols := 1, shape[0]
		if len(shape) == 2 {
			rows, cols = shape[0], shape[1]
		} else if ti.DType != tensor.F32 {
			t.Fatalf("vector %s stored as %v", ti.Name, ti.DType)
		}
		if ti.DType == tensor.BF16 || ti.Length != tensor.ByteSize(ti.DType, rows, cols) {
			t.Fatalf("tensor %s: %v %v of %d bytes", ti.Name, ti.DType, shape, ti.Length)
		}
		if ti.Shard < 0 || ti.Shard >= len(shards) || ti.Offset < 0 || ti.Offset >= shards[ti.Shard].RawSize || ti.Offset%Alignment != 0 {
			t.Fatalf("tensor %s: shard %d offset %d", ti.Name, ti.Shard, ti.Offset)
		}
		start := int64(ti.Shard)*size + ti.Offset
		if start < end || start-end >= Alignment || start+ti.Length > stream {
			t.Fatalf("tensor %s: bytes [%d, %d) after a tensor ending at %d, stream %d", ti.Name, start, start+ti.Length, end, stream)
		}
		end = start + ti.Length
	}
	if end != stream {
		t.Fatalf("tensors end at %d, stream at %d", end, stream)
	}
}

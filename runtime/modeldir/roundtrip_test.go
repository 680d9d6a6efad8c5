package modeldir

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// TestRoundTrip writes tensors of every dtype with shard sizes from smaller
// than a tensor to larger than the model, and reads them back unchanged.
func TestRoundTrip(t *testing.T) {
	ts := testTensors(t, 1)
	var spans2, spans3, manyPerShard bool
	for _, shardSize := range []int64{1024, 2048, 4096, DefaultShardSize} {
		var progress []int64
		dir := writeDir(t, ts, WriterOptions{ShardSize: shardSize, Quality: 3,
			Progress: func(n int64) { progress = append(progress, n) }})
		m, err := Open(weights.Dir(dir))
		if err != nil {
			t.Fatalf("shard size %d: %v", shardSize, err)
		}
		if m.ShardSize() != shardSize {
			t.Errorf("ShardSize() = %d, want %d", m.ShardSize(), shardSize)
		}
		checkLayout(t, m, ts)
		got, order, err := collect(m)
		if err != nil {
			t.Fatalf("shard size %d: %v", shardSize, err)
		}
		for i, s := range ts {
			if order[i] != s.name || !bytes.Equal(got[s.name], s.data) {
				t.Fatalf("shard size %d: tensor %d (%s) differs from what was written", shardSize, i, s.name)
			}
		}
		if len(order) != len(ts) {
			t.Fatalf("Each gave %d tensors, want %d", len(order), len(ts))
		}
		last := m.Shards()[len(m.Shards())-1]
		total := int64(len(m.Shards())-1)*shardSize + last.RawSize
		if !slices.IsSorted(progress) || progress[len(progress)-1] != total {
			t.Errorf("progress %v does not rise to the stream size %d", progress, total)
		}

		perShard := map[int]int{}
		for _, ti := range m.Tensors() {
			first := ti.Shard
			lastShard := int((int64(ti.Shard)*shardSize + ti.Offset + ti.Length - 1) / shardSize)
			spans2 = spans2 || lastShard == first+1
			spans3 = spans3 || lastShard == first+2
			if lastShard == first {
				perShard[first]++
			}
		}
		for _, n := range perShard {
			manyPerShard = manyPerShard || n >= 5
		}
	}
	if !spans2 || !spans3 || !manyPerShard {
		t.Errorf("layouts not covered: spanning 2 shards %v, 3 shards %v, 5+ tensors in a shard %v", spans2, spans3, manyPerShard)
	}
}

// checkLayout compares Tensors and Meta with what was written, and checks
// the alignment and order of the stream independently of the reader.
func checkLayout(t *testing.T, m *Model, ts []stored) {
	t.Helper()
	infos := m.Tensors()
	if len(infos) != len(ts) {
		t.Fatalf("%d tensors listed, want %d", len(infos), len(ts))
	}
	var end int64
	for i, ti := range infos {
		s := ts[i]
		if ti.Name != s.name || ti.DType != s.dt || !slices.Equal(ti.Shape, s.shape) || ti.Length != int64(len(s.data)) {
			t.Fatalf("tensor %d: %+v, want %s %v %v of %d bytes", i, ti, s.name, s.dt, s.shape, len(s.data))
		}
		start := int64(ti.Shard)*m.ShardSize() + ti.Offset
		if start%256 != 0 || start < end || start-end >= 256 {
			t.Fatalf("tensor %s starts at %d after a tensor ending at %d", ti.Name, start, end)
		}
		end = start + ti.Length
	}
	meta := m.Meta()
	want := testMeta()
	if meta.Tokenizer != want.Tokenizer || meta.Quant != want.Quant || meta.EmbedQuant != want.EmbedQuant {
		t.Errorf("Meta() = %+v", meta)
	}
	cfg, _ := weights.ParseConfig(want.ConfigJSON)
	if meta.Config != cfg || m.Config() != cfg {
		t.Errorf("config %+v, want %+v", meta.Config, cfg)
	}
	if again, err := weights.ParseConfig(meta.ConfigJSON); err != nil || again != cfg {
		t.Errorf("Meta().ConfigJSON parses to %+v, %v", again, err)
	}
}

// TestSynthRoundTrip converts the tiny synthetic checkpoint to F32 and reads
// every tensor back, comparing with the checkpoint's own F32 reading.
func TestSynthRoundTrip(t *testing.T) {
	src := t.TempDir()
	writeSynth(t, src)
	ckpt, err := weights.Open(weights.Dir(src))
	if err != nil {
		t.Fatal(err)
	}
	cfgJSON, err := os.ReadFile(filepath.Join(src, weights.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	meta := testMeta()
	meta.ConfigJSON, meta.Quant, meta.EmbedQuant = cfgJSON, "F32", "F32"
	w, err := NewWriter(dir, meta, WriterOptions{ShardSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := ckpt.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		n := int(tensor.NumElements(shape))
		f32 := make([]float32, n)
		tensor.DecodeF32(f32, data, dt)
		return w.Add(name, tensor.F32, shape, f32Bytes(f32))
	}); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	m, err := Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if m.Config() != ckpt.Config() {
		t.Fatalf("config %+v, want %+v", m.Config(), ckpt.Config())
	}
	if len(m.Shards()) < 2 {
		t.Fatalf("%d shards: the test means to span shards", len(m.Shards()))
	}
	count := 0
	if err := m.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		count++
		want, err := ckpt.ReadF32(name)
		if err != nil {
			return err
		}
		if dt != tensor.F32 || !bytes.Equal(data, f32Bytes(want)) {
			t.Errorf("tensor %s differs from the checkpoint", name)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if count != len(ckpt.Names()) {
		t.Fatalf("read %d tensors, the checkpoint has %d", count, len(ckpt.Names()))
	}
}

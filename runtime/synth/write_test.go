package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Spec §7: sha256 of model.safetensors for seed 1, default tiny shape.
var tinySHA256 = map[tensor.DType]string{
	tensor.F32:  "b5f23c9baa8fedaca073bd3641326fe84c1b6e63b1135f9be414a302291a595c",
	tensor.F16:  "d7c3c41382556326e6ea18a3601cdc72a3a6fa5b2f2636b86bcb8a0f932798de",
	tensor.BF16: "c652f587cdc3a942408ff99343f6118a85c1a8c1078682cc5aac56aa0196b91b",
}

func TestSplitmix64ReferenceVectors(t *testing.T) {
	// Published outputs of splitmix64 from seeds 0 and 1234567.
	for _, c := range []struct {
		seed uint64
		want []uint64
	}{
		{0, []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f, 0xf88bb8a8724c81ec}},
		{1234567, []uint64{6457827717110365317, 3203168211198807973, 9817491932198370423}},
	} {
		for k, want := range c.want {
			if got := splitmix64(c.seed, uint64(k)); got != want {
				t.Errorf("splitmix64(seed %d) output %d = %#x, want %#x", c.seed, k, got, want)
			}
		}
	}
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestTinyCheckpointMatchesSpecSHA256(t *testing.T) {
	for dt, want := range tinySHA256 {
		o := Tiny()
		o.DType = dt
		dir := filepath.Join(t.TempDir(), dt.String())
		if err := Write(dir, o); err != nil {
			t.Fatal(err)
		}
		if got := fileSHA256(t, filepath.Join(dir, "model.safetensors")); got != want {
			t.Errorf("%v: model.safetensors sha256 %s, want %s", dt, got, want)
		}
	}
}

func TestInvalidOptionsAreErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"no heads", func(o *Options) { o.Heads = 0 }, "Heads = 0"},
		{"uneven heads", func(o *Options) { o.Heads = 5 }, "not a multiple"},
		{"odd rotary", func(o *Options) { o.Hidden, o.Heads, o.PartialRotaryFactor = 56, 4, 0.5 }, "= 7"},
		{"factor", func(o *Options) { o.PartialRotaryFactor = 1.5 }, "PartialRotaryFactor"},
		{"theta", func(o *Options) { o.RopeTheta = 0 }, "RopeTheta"},
		{"dtype", func(o *Options) { o.DType = 0 }, "DType"},
		{"layers over the limit", func(o *Options) { o.Layers = 100000000 },
			"synth: Layers: layer count 100000000 is larger than 1024, the most this engine supports"},
		{"vocabulary over the limit", func(o *Options) { o.Vocab = 100000000000 }, "synth: Vocab: vocabulary size 100000000000 is larger than 1048576"},
		{"context over the limit", func(o *Options) { o.MaxPositions = 1<<31 - 1 }, "synth: MaxPositions: context length 2147483647 is larger"},
		{"parameters over the limit", func(o *Options) { o.Hidden, o.Heads, o.Intermediate, o.Layers = 1<<16, 1<<12, 1<<18, 1<<10 },
			"synth: parameter count 52"},
		{"tensor over the limit", func(o *Options) { o.Vocab, o.Hidden = 1<<20, 320 }, "synth: tensor size 1342177280 bytes is larger than 1073741824 bytes"},
	} {
		o := Tiny()
		c.change(&o)
		dir := t.TempDir()
		err := Write(dir, o)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
		if _, statErr := os.Stat(filepath.Join(dir, "model.safetensors")); statErr == nil {
			t.Errorf("%s: a checkpoint was written for invalid options", c.name)
		}
		if n := FileSize(o); n != 0 {
			t.Errorf("%s: FileSize %d for invalid options", c.name, n)
		}
	}
}

// failingWriter accepts limit bytes and then fails.
type failingWriter struct{ limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		return 0, io.ErrShortWrite
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestEncodeReportsWriteErrors(t *testing.T) {
	err := EncodeSafetensors(&failingWriter{limit: 5000}, Tiny())
	if err == nil || !strings.Contains(err.Error(), "tensor lm_head.bias") {
		t.Errorf("error %v, want one naming the tensor being written", err)
	}
}

func TestFileSizeAndProgress(t *testing.T) {
	o := Tiny()
	o.Vocab, o.DType = 300, tensor.BF16
	dir := t.TempDir()
	var last int64
	if err := WriteProgress(dir, o, func(n int64) { last = n }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != FileSize(o) || last != st.Size() {
		t.Fatalf("file is %d bytes, FileSize says %d, progress ended at %d", st.Size(), FileSize(o), last)
	}
}

// TestMemoryEqualsWrite checks that the in-memory checkpoint holds the
// bytes Write puts in files.
func TestMemoryEqualsWrite(t *testing.T) {
	dir := t.TempDir()
	o := Tiny()
	if err := Write(dir, o); err != nil {
		t.Fatal(err)
	}
	mem, err := Memory(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"config.json", "model.safetensors"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mem[name], want) {
			t.Errorf("%s: memory holds %d bytes that differ from the %d written", name, len(mem[name]), len(want))
		}
	}
}

package modeldir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/phi2web/phi2web/runtime/tensor"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestWriterCommitsManifestLast checks that shards appear as they fill,
// that manifest.json only appears at Close, and that a second conversion
// into the same directory removes the first one's manifest at once and its
// surplus shards at the end.
func TestWriterCommitsManifestLast(t *testing.T) {
	ts := testTensors(t, 5)
	dir := writeDir(t, ts, WriterOptions{ShardSize: 1024})
	before := len(listDir(t, dir))

	w, err := NewWriter(dir, testMeta(), WriterOptions{ShardSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(listDir(t, dir), ManifestFile) {
		t.Fatal("the previous manifest.json survives NewWriter")
	}
	for _, s := range ts[:len(ts)-1] {
		if err := w.Add(s.name, s.dt, s.shape, s.data); err != nil {
			t.Fatal(err)
		}
	}
	if slices.Contains(listDir(t, dir), ManifestFile) {
		t.Fatal("manifest.json written before Close")
	}
	last := ts[len(ts)-1]
	if err := w.AddStream(last.name, last.dt, last.shape, iotest.OneByteReader(bytes.NewReader(last.data))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := listDir(t, dir)
	m, err := Open(readDir(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(m.Shards())+1 || len(got) >= before {
		t.Fatalf("directory holds %v after rewriting with fewer shards", got)
	}
	if err := w.Add(last.name, last.dt, last.shape, last.data); err == nil {
		t.Fatal("Add after Close succeeded")
	}
}

// TestWriterDeterministic: equal input gives equal files, through Add or
// AddStream.
func TestWriterDeterministic(t *testing.T) {
	ts := testTensors(t, 6)
	a := readDir(t, writeDir(t, ts, WriterOptions{ShardSize: 2048}))
	dir := t.TempDir()
	w, err := NewWriter(dir, testMeta(), WriterOptions{ShardSize: 2048})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ts {
		if err := w.AddStream(s.name, s.dt, s.shape, bytes.NewReader(s.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := readDir(t, dir)
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two writes of the same tensors", name)
		}
	}
}

// TestWriterRejects checks each misuse fails with a one-line error and that
// Close then leaves no file behind.
func TestWriterRejects(t *testing.T) {
	ts := testTensors(t, 7)
	fc1 := ts[11]
	if fc1.name != "model.layers.0.mlp.fc1.weight" {
		t.Fatalf("tensor 11 is %s", fc1.name)
	}
	for _, c := range []struct {
		name string
		add  func(w *Writer) error
		want string
	}{
		{"wrong shape", func(w *Writer) error { return w.Add(fc1.name, fc1.dt, []int{32, 64}, fc1.data) },
			"shape [32, 64] but the config expects [64, 32]"},
		{"unknown name", func(w *Writer) error { return w.Add("x\ny", tensor.F32, []int{1}, make([]byte, 4)) },
			`"x\ny" is not a tensor of this model's config`},
		{"twice", func(w *Writer) error {
			w.Add(ts[0].name, ts[0].dt, ts[0].shape, ts[0].data)
			return w.Add(ts[0].name, ts[0].dt, ts[0].shape, ts[0].data)
		}, "is added twice"},
		{"BF16", func(w *Writer) error { return w.Add(fc1.name, tensor.BF16, fc1.shape, make([]byte, 64*32*2)) },
			`dtype "BF16"`},
		{"Q8 vector", func(w *Writer) error { return w.Add(ts[10].name, tensor.Q8, ts[10].shape, make([]byte, 1024)) },
			"vectors are stored as F32"},
		{"short data", func(w *Writer) error { return w.Add(fc1.name, fc1.dt, fc1.shape, fc1.data[1:]) },
			"bytes, want"},
		{"short stream", func(w *Writer) error {
			return w.AddStream(fc1.name, fc1.dt, fc1.shape, bytes.NewReader(fc1.data[:100]))
		}, "read 100 of"},
		{"failing stream", func(w *Writer) error {
			return w.AddStream(fc1.name, fc1.dt, fc1.shape, iotest.ErrReader(errors.New("disk gone")))
		}, "disk gone"},
		{"missing tensor at Close", func(w *Writer) error { return nil }, "tensor model.layers.0.self_attn.v_proj.bias was not added"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewWriter(dir, testMeta(), WriterOptions{ShardSize: 256})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range ts[:8] { // enough to finish a few shards first
				if err := w.Add(s.name, s.dt, s.shape, s.data); err != nil {
					t.Fatal(err)
				}
			}
			err = c.add(w)
			if err == nil {
				err = w.Close()
			} else if cerr := w.Close(); cerr != err {
				t.Errorf("Close after an error returned %v", cerr)
			}
			checkMessage(t, err, c.want)
			if left := listDir(t, dir); len(left) != 0 {
				t.Errorf("files left after a failed write: %v", left)
			}
		})
	}
}

func TestWriterAbort(t *testing.T) {
	ts := testTensors(t, 8)
	dir := t.TempDir()
	w, err := NewWriter(dir, testMeta(), WriterOptions{ShardSize: 512})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ts[:10] {
		if err := w.Add(s.name, s.dt, s.shape, s.data); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(listDir(t, dir)); n < 3 {
		t.Fatalf("only %d files after writing many shards", n)
	}
	w.Abort()
	if left := listDir(t, dir); len(left) != 0 {
		t.Errorf("files left after Abort: %v", left)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
}

func TestNewWriterRejects(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(m *Meta, o *WriterOptions)
		want string
	}{
		{"config", func(m *Meta, o *WriterOptions) { m.ConfigJSON = []byte(`{"hidden_size": -1}`) }, "config.json: hidden_size"},
		{"config disagrees", func(m *Meta, o *WriterOptions) { m.Config.HiddenSize = 64 }, "Meta.Config differs"},
		{"tokenizer", func(m *Meta, o *WriterOptions) { m.Tokenizer.SHA256 = "xyz" }, "tokenizer sha256"},
		{"quant", func(m *Meta, o *WriterOptions) { m.Quant = "BF16" }, "quant: "},
		{"shard size", func(m *Meta, o *WriterOptions) { o.ShardSize = 1000 }, "shard_size 1000"},
		{"quality", func(m *Meta, o *WriterOptions) { o.Quality = 12 }, "brotli quality 12"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, o := testMeta(), WriterOptions{}
			c.edit(&m, &o)
			dir := filepath.Join(t.TempDir(), "out")
			_, err := NewWriter(dir, m, o)
			checkMessage(t, err, c.want)
			if !strings.HasPrefix(err.Error(), "modeldir: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestIsModelFile(t *testing.T) {
	for name, want := range map[string]bool{
		ManifestFile: true, ManifestFile + ".tmp": true, ShardName(0): true, ShardName(123456) + ".tmp": true,
		"config.json": false, "model.safetensors": false, "shard-1.bin.br": false, "shard-0000x.bin.br": false,
		"shard-00000.bin": false, "x" + ShardName(0): false, "": false,
	} {
		if got := IsModelFile(name); got != want {
			t.Errorf("IsModelFile(%q) = %v, want %v", name, got, want)
		}
	}
}

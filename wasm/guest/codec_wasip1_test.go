package guest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// These tests run under wasm/host:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "$PWD/build/wasmexec" ./wasm/guest

func payload(n int) []byte {
	rng := rand.New(rand.NewPCG(3, 0))
	out := []byte(strings.Repeat("a phi2 layer norm, ", n/40))
	for len(out) < n {
		out = append(out, byte(rng.Uint32()))
	}
	return out
}

func compress(data []byte) []byte {
	var b bytes.Buffer
	w := brotli.NewWriterLevel(&b, 4)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// TestDecompress: the host decodes what the Go encoder encoded, and its
// failures come back as the errors modeldir.Codec names.
func TestDecompress(t *testing.T) {
	data := payload(300_000)
	comp := compress(data)
	dst := make([]byte, len(data)+10)
	n, err := Decompress(dst, comp)
	if err != nil || n != len(data) || !bytes.Equal(dst[:n], data) {
		t.Fatalf("Decompress = %d, %v; want %d bytes equal to those encoded", n, err, len(data))
	}
	for _, c := range []struct {
		name     string
		dst, src []byte
		want     error
	}{
		{"does not fit", dst[:len(data)-1], comp, io.ErrShortBuffer},
		{"cut short", dst, comp[:len(comp)/2], io.ErrUnexpectedEOF},
		{"not brotli", dst, []byte("plain text, not a brotli stream at all"), errCorrupt},
	} {
		if _, err := Decompress(c.dst, c.src); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	if n, err := Decompress(nil, compress(nil)); n != 0 || err != nil {
		t.Errorf("empty stream: %d, %v", n, err)
	}
}

// TestSum256 agrees with crypto/sha256.
func TestSum256(t *testing.T) {
	data := payload(70_000)
	for _, n := range []int{0, 3, 64, 70_000} {
		if got, want := Sum256(data[:n]), sha256.Sum256(data[:n]); got != want {
			t.Errorf("Sum256 of %d bytes = %x, want %x", n, got, want)
		}
	}
	if Sum256(nil) != sha256.Sum256(nil) {
		t.Error("Sum256(nil) differs")
	}
}

// TestLoadThroughHost: a converted model reads the same through the host
// codec as through the Go one, and a damaged shard is still refused.
func TestLoadThroughHost(t *testing.T) {
	hf := filepath.Join(t.TempDir(), "hf")
	if err := synth.Write(hf, synth.Tiny()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "q4")
	err := load.Open(context.Background(), hf, load.Options{}, func(src *load.Model) error {
		return convert.Run(src, dir, convert.Options{Quant: tensor.Q4})
	})
	if err != nil {
		t.Fatal(err)
	}
	decodes := 0
	counted := func(dst, src []byte) (int, error) { decodes++; return Decompress(dst, src) }
	codec := load.Options{Codec: &modeldir.Codec{Decompress: counted, Sum256: Sum256}}
	want, err := readAll(dir, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(dir, codec)
	if err != nil || len(got) != len(want) || len(want) == 0 || decodes == 0 {
		t.Fatalf("through the host: %d tensors in %d decodes, %v; want %d", len(got), decodes, err, len(want))
	}
	for name := range want {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("tensor %s differs through the host", name)
		}
	}
	shard := filepath.Join(dir, modeldir.ShardName(0))
	data, err := os.ReadFile(shard)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(shard, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(dir, codec); err == nil || !strings.Contains(err.Error(), "sha256 mismatch") {
		t.Errorf("damaged shard: error %v, want a sha256 mismatch", err)
	}
}

func readAll(path string, o load.Options) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := load.Open(context.Background(), path, o, func(m *load.Model) error {
		return m.Each(func(name string, _ tensor.DType, _ []int, data []byte) error {
			out[name] = bytes.Clone(data)
			return nil
		})
	})
	return out, err
}

package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// codecGuest is an instance of testdata/codec.wasm: 1 MiB of guest memory
// and the phi2 codec functions.
type codecGuest struct {
	t   *testing.T
	mod api.Module
}

// Guest addresses of the tests' source, destination and digest.
const (
	srcAt    = 0x1000
	dstAt    = 0x80000
	digestAt = 0x100
	guestEnd = 16 << 16
)

var guestCount int

func newCodecGuest(t *testing.T, h *Host) *codecGuest {
	t.Helper()
	guestCount++
	cfg := wazero.NewModuleConfig().WithName(fmt.Sprintf("codec-%d", guestCount))
	mod, err := h.rt.InstantiateWithConfig(context.Background(), readGuest(t, "codec.wasm"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &codecGuest{t, mod}
}

func (g *codecGuest) put(addr uint32, data []byte) {
	if !g.mod.Memory().Write(addr, data) {
		g.t.Fatalf("cannot write %d bytes at %d", len(data), addr)
	}
}

func (g *codecGuest) call(name string, args ...uint64) ([]uint64, error) {
	return g.mod.ExportedFunction(name).Call(context.Background(), args...)
}

// decode puts src at srcAt and decodes it to dstAt with room for dstCap
// bytes, returning the result and the bytes written.
func (g *codecGuest) decode(src []byte, dstCap int) (int32, []byte) {
	g.t.Helper()
	g.put(srcAt, src)
	res, err := g.call("decode", srcAt, uint64(len(src)), dstAt, uint64(dstCap))
	if err != nil {
		g.t.Fatal(err)
	}
	n := api.DecodeI32(res[0])
	if n < 0 {
		return n, nil
	}
	out, _ := g.mod.Memory().Read(dstAt, uint32(n))
	return n, bytes.Clone(out)
}

func compress(data []byte) []byte {
	var b bytes.Buffer
	w := brotli.NewWriterLevel(&b, 5)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// testPayload is text followed by random bytes: both kinds of metablock.
func testPayload(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 0))
	out := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", n/90))
	for len(out) < n {
		out = append(out, byte(rng.Uint32()))
	}
	return out
}

// TestBrotliDecode: brotli_decode decodes in guest memory exactly what the
// Go encoder encoded, and tells apart a stream that does not fit, one cut
// short and one that is not brotli.
func TestBrotliDecode(t *testing.T) {
	g := newCodecGuest(t, newTestHost(t, Options{Workers: 1}))
	data := testPayload(200_000)
	comp := compress(data)
	for _, c := range []struct {
		name   string
		src    []byte
		dstCap int
		want   int32
	}{
		{"exact room", comp, len(data), int32(len(data))},
		{"more room", comp, len(data) + 1000, int32(len(data))},
		{"one byte short", comp, len(data) - 1, brotliTooLong},
		{"no room", comp, 0, brotliTooLong},
		{"cut short", comp[:len(comp)-5], len(data), brotliTruncated},
		{"empty source", nil, 10, brotliTruncated},
		{"not brotli", []byte("plain text, not a brotli stream at all"), len(data), brotliCorrupt},
		{"trailing bytes", append(bytes.Clone(comp), 1, 2, 3), len(data), brotliCorrupt},
		{"empty stream", compress(nil), 0, 0},
		{"again after errors", comp, len(data), int32(len(data))},
	} {
		n, out := g.decode(c.src, c.dstCap)
		if n != c.want {
			t.Errorf("%s: brotli_decode = %d, want %d", c.name, n, c.want)
			continue
		}
		if n >= 0 && !bytes.Equal(out, data[:n]) {
			t.Errorf("%s: the decoded bytes differ from those encoded", c.name)
		}
	}
}

// TestSHA256: sha256 of guest memory matches crypto/sha256 over lengths
// around the block size.
func TestSHA256(t *testing.T) {
	g := newCodecGuest(t, newTestHost(t, Options{Workers: 1}))
	data := testPayload(100_000)
	g.put(srcAt, data)
	for _, n := range []int{0, 1, 55, 56, 64, 65, 100_000} {
		if _, err := g.call("sha256", srcAt, uint64(n), digestAt); err != nil {
			t.Fatal(err)
		}
		got, _ := g.mod.Memory().Read(digestAt, sha256.Size)
		if want := sha256.Sum256(data[:n]); !bytes.Equal(got, want[:]) {
			t.Errorf("sha256 of %d bytes = %x, want %x", n, got, want)
		}
	}
}

// TestCodecRangesTrap: a range outside the guest memory or a negative
// length traps with a message naming the function.
func TestCodecRangesTrap(t *testing.T) {
	h := newTestHost(t, Options{Workers: 1})
	neg := uint64(api.EncodeI32(-1))
	for _, c := range []struct {
		fn   string
		args []uint64
		want string
	}{
		{"decode", []uint64{guestEnd - 10, 100, dstAt, 100}, "phi2.brotli_decode: guest range [1048566, +100) is outside"},
		{"decode", []uint64{srcAt, 100, guestEnd - 10, 100}, "phi2.brotli_decode: guest range [1048566, +100) is outside"},
		{"decode", []uint64{srcAt, neg, dstAt, 100}, "phi2.brotli_decode: length -1 is negative"},
		{"sha256", []uint64{srcAt, 100, guestEnd - 31}, "phi2.sha256: guest range [1048545, +32) is outside"},
		{"sha256", []uint64{guestEnd, 1, digestAt}, "phi2.sha256: guest range [1048576, +1) is outside"},
	} {
		g := newCodecGuest(t, h)
		if _, err := g.call(c.fn, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s%v: error %v, want one containing %q", c.fn, c.args, err, c.want)
		}
	}
}

//go:build js && wasm

package webcodec

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/phi2web/phi2web/runtime/modeldir"
)

// sample is n bytes that compress a little, as quantized weights do.
func sample(n int) []byte {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(rng.IntN(200))
	}
	return p
}

func compress(t testing.TB, p []byte) []byte {
	var b bytes.Buffer
	w := brotli.NewWriterLevel(&b, 5)
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The browser's SHA-256 is the standard one, also of nothing.
func TestSum256(t *testing.T) {
	if !NativeSHA256() {
		t.Fatal("crypto.subtle is missing in the test page (a secure context)")
	}
	for _, n := range []int{0, 1, 63, 64, 1 << 20} {
		p := sample(n)
		if got, want := Sum256(p), sha256.Sum256(p); got != want {
			t.Errorf("%d bytes: %x, want %x", n, got, want)
		}
	}
}

// Both decoders decode, report a buffer too short, and refuse bad data.
func TestDecompress(t *testing.T) {
	raw := sample(3 << 20)
	comp := compress(t, raw)
	decoders := map[string]func(dst, src []byte) (int, error){"go": modeldir.Decompress}
	if NativeBrotli() {
		decoders["native"] = Decompress
	}
	t.Logf("DecompressionStream(\"brotli\"): %v", NativeBrotli())
	for name, dec := range decoders {
		dst := make([]byte, len(raw))
		if n, err := dec(dst, comp); n != len(raw) || err != nil || !bytes.Equal(dst, raw) {
			t.Errorf("%s: %d bytes, %v (equal %v); want %d", name, n, err, bytes.Equal(dst[:n], raw[:n]), len(raw))
		}
		if _, err := dec(make([]byte, len(raw)-1), comp); !errors.Is(err, io.ErrShortBuffer) {
			t.Errorf("%s, a buffer one byte short: %v, want io.ErrShortBuffer", name, err)
		}
		if n, err := dec(make([]byte, len(raw)+1), comp); n != len(raw) || err != nil {
			t.Errorf("%s, a buffer one byte long: %d, %v; want %d", name, n, err, len(raw))
		}
		bad := bytes.Clone(comp)
		bad[len(bad)/2] ^= 0xff
		if n, err := dec(dst, bad); err == nil && n == len(raw) && bytes.Equal(dst, raw) {
			t.Errorf("%s: damaged stream decoded to the original", name)
		}
		if _, err := dec(dst, comp[:len(comp)/2]); err == nil {
			t.Errorf("%s: half a stream decoded without error", name)
		}
	}
	c := Codec()
	if c == nil {
		t.Fatal("Codec() = nil in a secure context")
	}
}

const benchSize = 32 << 20

func BenchmarkSum256Native(b *testing.B) { benchSum(b, Sum256) }
func BenchmarkSum256Go(b *testing.B)     { benchSum(b, sha256.Sum256) }

// The cheaper checks a store could keep instead of the manifest's SHA-256,
// for comparison: CRC-32 in Go (Castagnoli, the table-driven code Go's
// wasm build has).
func BenchmarkCRC32Go(b *testing.B) {
	p := sample(benchSize)
	table := crc32.MakeTable(crc32.Castagnoli)
	b.SetBytes(benchSize)
	for b.Loop() {
		crc32.Checksum(p, table)
	}
}

func benchSum(b *testing.B, sum func([]byte) [32]byte) {
	p := sample(benchSize)
	b.SetBytes(benchSize)
	for b.Loop() {
		sum(p)
	}
}

func BenchmarkDecompressNative(b *testing.B) {
	if !NativeBrotli() {
		b.Skip("this browser has no DecompressionStream(\"brotli\")")
	}
	benchDecompress(b, Decompress)
}

func BenchmarkDecompressGo(b *testing.B) { benchDecompress(b, modeldir.Decompress) }

func benchDecompress(b *testing.B, dec func(dst, src []byte) (int, error)) {
	raw := sample(benchSize)
	comp := compress(b, raw)
	dst := make([]byte, len(raw))
	b.SetBytes(benchSize)
	for b.Loop() {
		if _, err := dec(dst, comp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSumJSNative hashes bytes already in JavaScript, as a store's
// read hands them over: the digest alone, without the copy out of Go.
func BenchmarkSumJSNative(b *testing.B) {
	u8, err := toJS(sample(benchSize))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	for b.Loop() {
		if _, err := SumJS(u8); err != nil {
			b.Fatal(err)
		}
	}
}

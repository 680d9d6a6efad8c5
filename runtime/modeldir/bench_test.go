package modeldir

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/phi2web/phi2web/runtime/tensor"
)

const benchBytes = 4 << 20

// gaussian returns n values of N(0, 0.02²), the spread of trained weights.
func gaussian(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(rng.NormFloat64() * 0.02)
	}
	return w
}

// f16Data is about n bytes of f16 Gaussian values.
func f16Data(n int) []byte {
	out := make([]byte, 0, n)
	for _, v := range gaussian(n/2, 1) {
		h := tensor.F32ToF16(v)
		out = append(out, byte(h), byte(h>>8))
	}
	return out
}

// q4Data is about n bytes shaped like a Q4 matrix: Gaussian values
// quantized by the reference rule (docs/format.md), all quants followed by
// all f16 scales.
func q4Data(n int) []byte {
	blocks := n / 18
	w := gaussian(blocks*32, 2)
	quants := make([]byte, 0, blocks*16)
	scales := make([]byte, 0, blocks*2)
	for b := range blocks {
		x := w[32*b : 32*b+32]
		var m float32
		for _, v := range x {
			if abs(v) > abs(m) {
				m = v
			}
		}
		h := tensor.F32ToF16(m / -8)
		d := tensor.F16ToF32(h)
		q := func(v float32) byte {
			if d == 0 {
				return 8
			}
			return byte(min(15, math.Floor(float64(v/d)+8.5)))
		}
		for j := range 16 {
			quants = append(quants, q(x[j])|q(x[j+16])<<4)
		}
		scales = append(scales, byte(h), byte(h>>8))
	}
	return append(quants, scales...)
}

func abs(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

func compress(data []byte, quality int) []byte {
	var b bytes.Buffer
	w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: quality})
	w.Write(data)
	w.Close()
	return b.Bytes()
}

var benchData = []struct {
	name string
	make func(n int) []byte
}{{"q4", q4Data}, {"f16", f16Data}}

// BenchmarkCompress measures brotli at DefaultQuality; ratio is compressed
// over raw size.
func BenchmarkCompress(b *testing.B) {
	for _, d := range benchData {
		data := d.make(benchBytes)
		b.Run(d.name, func(b *testing.B) { benchCompress(b, data, DefaultQuality) })
	}
}

// BenchmarkCompressQuality compares qualities, the basis of DefaultQuality.
func BenchmarkCompressQuality(b *testing.B) {
	for _, d := range benchData {
		data := d.make(1 << 20)
		for _, q := range []int{1, 3, 5, 7, 9} {
			b.Run(fmt.Sprintf("%s/q%d", d.name, q), func(b *testing.B) { benchCompress(b, data, q) })
		}
	}
}

func benchCompress(b *testing.B, data []byte, quality int) {
	b.SetBytes(int64(len(data)))
	var n int
	for b.Loop() {
		n = len(compress(data, quality))
	}
	b.ReportMetric(float64(n)/float64(len(data)), "ratio")
}

// BenchmarkDecompress measures brotli decoding of shards written at
// DefaultQuality, in raw bytes per second.
func BenchmarkDecompress(b *testing.B) {
	for _, d := range benchData {
		data := d.make(benchBytes)
		packed := compress(data, DefaultQuality)
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			dec := brotli.NewReader(nil)
			out := make([]byte, len(data))
			for b.Loop() {
				dec.Reset(bytes.NewReader(packed))
				if _, err := io.ReadFull(dec, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSHA256 is the other cost of verifying a shard.
func BenchmarkSHA256(b *testing.B) {
	data := q4Data(benchBytes)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sha256.Sum256(data)
	}
}

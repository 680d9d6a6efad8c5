package tensor

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzQuantRoundTrip quantizes any finite matrix of up to 9×70 values, as
// every dtype, and checks Dequantize(Quantize(w)) with checkRoundTrip.
// Values come from the fuzzed bytes as float32 bits; NaN becomes 0 and
// magnitudes past the quantizable range are clamped to it, so the edges of
// the scale range are reached too. The seeds are in
// testdata/fuzz/FuzzQuantRoundTrip.
func FuzzQuantRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, r, c uint8, bits []byte) {
		rows, cols := 1+int(r)%9, 1+int(c)%70
		if len(bits) < 4 {
			bits = append(bits, 0, 0, 0, 0)
		}
		w := make([]float32, rows*cols)
		for i := range w {
			o := 4 * i % (len(bits) &^ 3)
			w[i] = math.Float32frombits(binary.LittleEndian.Uint32(bits[o:]) ^ uint32(i/(len(bits)/4))*0x9e3779b9)
			if w[i] != w[i] {
				w[i] = 0
			}
		}
		for _, dt := range allDTypes {
			v := w
			if dt.Quantized() {
				limit := float32(maxQ8Abs)
				if dt == Q4 {
					limit = maxQ4Abs
				}
				v = make([]float32, len(w))
				for i, x := range w {
					v[i] = max(-limit, min(limit, x))
				}
			}
			checkRoundTrip(t, dt, v, rows, cols)
		}
	})
}

package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Largest magnitudes whose block scale still fits a finite f16 (65504):
// |w| ≤ 65504·127 for Q8 and |w| ≤ 65504·8 for Q4.
const (
	maxQ8Abs = 65504 * 127
	maxQ4Abs = 65504 * 8
)

// CheckQuantizable reports the first value of w that cannot be stored as
// dt: NaN, ±Inf, a magnitude whose block scale would overflow f16 (Q8, Q4)
// or past the largest F16. Converters call it on checkpoint data before
// Quantize, which panics on such values for the quantized types.
func CheckQuantizable(dt DType, w []float32) error {
	var limit float32
	switch dt {
	case Q8:
		limit = maxQ8Abs
	case Q4:
		limit = maxQ4Abs
	case F16:
		limit = 65504
	default:
		limit = math.MaxFloat32
	}
	for i, v := range w {
		if !(v >= -limit && v <= limit) { // also true for NaN
			return fmt.Errorf("element %d is %g, outside the range ±%g of %s", i, v, limit, dt)
		}
	}
	return nil
}

// Quantize encodes a row-major [rows, cols] matrix w as dt in the storage
// layout of docs/format.md. F32, F16 and BF16 are plain little-endian
// elements (F16 and BF16 rounded to nearest, ties to even), so converters
// have one function for every output type.
//
// Q8 and Q4 follow the reference rule of docs/format.md, block by block;
// columns past cols are quantized as zeros, and the rows that pad the last
// row group are zero blocks (Q8 quants 0, Q4 nibbles 8) with scale +0. Every
// quotient is rounded to float32 and the steps after it are exact:
//
//	Q8: d = f16(amax/127); q = clamp(round_half_away(w/d), −127, 127)
//	Q4: d = f16(m/−8);     q = clamp(floor(w/d + 8.5), 0, 15)
//
// with d widened back from f16 before dividing, and all q zero (Q8) or 8
// (Q4) when d is zero. A block of zeros thus has the Q4 scale −0 (0x8000),
// as GGML's Q4_0 gives it. The lower Q4 clamp only acts when d is an f16
// subnormal too coarse to keep m/d ≥ −8.5; for any normal d it never does.
//
// Quantize panics when len(w) is not rows·cols or, for Q8 and Q4, when a
// value fails CheckQuantizable.
func Quantize(dt DType, w []float32, rows, cols int) []byte {
	checkShape("Quantize", dt, rows, cols)
	if len(w) != rows*cols {
		panic(fmt.Sprintf("tensor: Quantize %s [%d %d]: %d values, want %d", dt, rows, cols, len(w), rows*cols))
	}
	if !dt.Quantized() {
		return encodeFloats(dt, w)
	}
	if err := CheckQuantizable(dt, w); err != nil {
		panic("tensor: Quantize: " + err.Error())
	}
	l := Layout(dt, rows, cols)
	out := make([]byte, ByteSize(dt, rows, cols))
	var block [BlockSize]float32
	for r := range rowGroups(rows) * RowGroup {
		for b := range l.Blocks {
			if r >= rows { // padding row: value zero, scale +0
				if dt == Q4 {
					copy(out[l.QuantsAt(r, b):], q4Zeros[:])
				}
				continue
			}
			clear(block[:])
			c0 := b * BlockSize
			copy(block[:], w[r*cols+c0:r*cols+min(c0+BlockSize, cols)])
			var d uint16
			if dt == Q8 {
				d = quantizeQ8(out[l.QuantsAt(r, b):][:BlockSize], &block)
			} else {
				d = quantizeQ4(out[l.QuantsAt(r, b):][:BlockSize/2], &block)
			}
			binary.LittleEndian.PutUint16(out[l.ScaleAt(r, b):], d)
		}
	}
	return out
}

// q4Zeros is a Q4 block of zero values: every nibble 8.
var q4Zeros = [BlockSize / 2]byte{0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88}

// encodeFloats stores w as little-endian dt elements.
func encodeFloats(dt DType, w []float32) []byte {
	out := make([]byte, len(w)*dt.Size())
	for i, v := range w {
		switch dt {
		case F32:
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		case F16:
			binary.LittleEndian.PutUint16(out[2*i:], F32ToF16(v))
		case BF16:
			binary.LittleEndian.PutUint16(out[2*i:], F32ToBF16(v))
		}
	}
	return out
}

// quantizeQ8 writes the 32 int8 quants of v to dst and returns the f16 scale.
func quantizeQ8(dst []byte, v *[BlockSize]float32) uint16 {
	var amax float32
	for _, x := range v {
		amax = max(amax, float32(math.Abs(float64(x))))
	}
	h := F32ToF16(amax / 127)
	d := F16ToF32(h)
	for j, x := range v {
		var q float64
		if d != 0 {
			q = max(-127, min(127, math.Round(float64(x/d))))
		}
		dst[j] = byte(int8(q))
	}
	return h
}

// quantizeQ4 writes the 16 bytes of v's nibbles to dst (element j low,
// element j+16 high) and returns the f16 scale.
func quantizeQ4(dst []byte, v *[BlockSize]float32) uint16 {
	var m, amax float32
	for _, x := range v {
		if a := float32(math.Abs(float64(x))); a > amax {
			m, amax = x, a
		}
	}
	h := F32ToF16(m / -8)
	d := F16ToF32(h)
	var q [BlockSize]byte
	for j, x := range v {
		q[j] = 8
		if d != 0 {
			q[j] = byte(max(0, min(15, math.Floor(float64(x/d)+8.5))))
		}
	}
	for j := range BlockSize / 2 {
		dst[j] = q[j] | q[j+BlockSize/2]<<4
	}
	return h
}

// checkShape panics on a negative dimension or a dtype outside the five.
func checkShape(op string, dt DType, rows, cols int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("tensor: %s %s: invalid shape [%d %d]", op, dt, rows, cols))
	}
	switch dt {
	case F32, F16, BF16, Q8, Q4:
	default:
		panic(fmt.Sprintf("tensor: %s: unknown dtype %s", op, dt))
	}
}

package tensor

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var allDTypes = []DType{F32, F16, BF16, Q8, Q4}

// checkRoundTrip quantizes w and checks each widened value against the
// bound of its dtype: float types give the nearest value of the type; Q8
// and Q4 values are within d/2 of w (d the block's stored scale, checked to
// be f16(amax/127) or f16(m/−8)), except where the rule clamps.
func checkRoundTrip(t *testing.T, dt DType, w []float32, rows, cols int) {
	t.Helper()
	data := Quantize(dt, w, rows, cols)
	if int64(len(data)) != ByteSize(dt, rows, cols) {
		t.Fatalf("%s [%d %d]: %d bytes, want %d", dt, rows, cols, len(data), ByteSize(dt, rows, cols))
	}
	got := make([]float32, rows*cols)
	Dequantize(got, data, dt, rows, cols)
	row := make([]float32, cols)
	for r := range rows {
		DequantizeRow(row, data, dt, rows, cols, r)
		for c := range cols {
			if math.Float32bits(row[c]) != math.Float32bits(got[r*cols+c]) {
				t.Fatalf("%s [%d %d]: DequantizeRow(%d)[%d] = %g, Dequantize has %g", dt, rows, cols, r, c, row[c], got[r*cols+c])
			}
		}
	}
	if !dt.Quantized() {
		for i, v := range w {
			if want := nearestOf(dt, v); math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("%s: element %d: %g came back as %g, want %g", dt, i, v, got[i], want)
			}
		}
		return
	}
	l := Layout(dt, rows, cols)
	for r := range rows {
		for b := range l.Blocks {
			c0, c1 := b*BlockSize, min((b+1)*BlockSize, cols)
			d := float64(F16ToF32(binary.LittleEndian.Uint16(data[l.ScaleAt(r, b):])))
			if msg := checkBlock(dt, w[r*cols+c0:r*cols+c1], got[r*cols+c0:r*cols+c1], d); msg != "" {
				t.Fatalf("%s [%d %d] row %d block %d (d = %g): %s", dt, rows, cols, r, b, d, msg)
			}
		}
	}
}

// nearestOf is v rounded to a float type, through the conversions tested
// in half_test.go.
func nearestOf(dt DType, v float32) float32 {
	switch dt {
	case F16:
		return F16ToF32(F32ToF16(v))
	case BF16:
		return BF16ToF32(F32ToBF16(v))
	}
	return v
}

// checkBlock checks one block's values and scale; it returns what is wrong.
func checkBlock(dt DType, w, got []float32, d float64) string {
	// The scale's source: amax/127 (Q8) or the signed largest value / −8.
	var src float64
	for _, v := range w {
		if s := float64(v); math.Abs(s) > math.Abs(src) {
			src = s
		}
	}
	if dt == Q8 {
		src = math.Abs(src) / 127
	} else {
		src /= -8
	}
	// f16 rounding: half an ulp of 2⁻¹¹ relative, or 2⁻²⁵ near zero.
	if math.Abs(d-src) > math.Max(math.Abs(src)*0x1p-11, 0x1p-25)*(1+1e-6) {
		return fmt.Sprintf("scale %g is not f16(%g)", d, src)
	}
	const slack = 1 + 0x1p-16 // the quotient w/d is rounded to float32
	for i, v := range w {
		x, y := float64(v), float64(got[i])
		if d == 0 {
			if y != 0 {
				return fmt.Sprintf("element %d is %g with a zero scale", i, y)
			}
			continue
		}
		q := y / d
		if q != math.Trunc(q) {
			return fmt.Sprintf("element %d = %g is not a multiple of d", i, y)
		}
		clamped := (dt == Q8 && math.Abs(q) == 127 && math.Abs(x/d) > 126.5) ||
			(dt == Q4 && q == 7 && x/d > 7.5-1e-5) || (dt == Q4 && q == -8 && x/d < -8.5+1e-5)
		if !clamped && math.Abs(x-y) > math.Abs(d)/2*slack {
			return fmt.Sprintf("element %d: %g came back as %g, more than d/2 away", i, x, y)
		}
	}
	return ""
}

func TestQuantRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][2]int{{1, 1}, {3, 33}, {5, 64}, {7, 100}, {4, 32}, {9, 31}, {0, 5}, {2, 0}}
	for _, dt := range allDTypes {
		for _, s := range shapes {
			for _, sd := range []float64{1, 1e-3, 300} {
				w := make([]float32, s[0]*s[1])
				for i := range w {
					w[i] = float32(rng.NormFloat64() * sd)
				}
				checkRoundTrip(t, dt, w, s[0], s[1])
			}
		}
	}
}

// Values at the edges of the scale range: the largest quantizable
// magnitudes, and blocks so small that d is an f16 subnormal or zero.
func TestQuantRoundTripExtremes(t *testing.T) {
	for _, dt := range []DType{Q8, Q4} {
		top := float32(maxQ8Abs)
		if dt == Q4 {
			top = maxQ4Abs
		}
		for _, w := range [][]float32{
			{top, -top, top / 3, 1},
			{-top, top, 0.5, -7},
			{11.2 * 0x1p-24, -3 * 0x1p-24, 0x1p-24},
			{1e-9, -2e-9, 0},
			{127 * 0x1p-25, 0x1p-30},
			{float32(math.Copysign(0, -1)), 0},
		} {
			checkRoundTrip(t, dt, w, 1, len(w))
			checkRoundTrip(t, dt, w, len(w), 1)
		}
	}
}

func TestCheckQuantizable(t *testing.T) {
	for _, c := range []struct {
		dt   DType
		w    []float32
		want string
	}{
		{Q8, []float32{1, maxQ8Abs, -maxQ8Abs}, ""},
		{Q8, []float32{1, float32(math.Inf(-1))}, "element 1 is -Inf, outside the range ±8.319008e+06 of Q8"},
		{Q4, []float32{0, 0, float32(math.NaN())}, "element 2 is NaN, outside the range ±524032 of Q4"},
		{Q4, []float32{maxQ4Abs + 1}, "element 0 is 524033, outside the range ±524032 of Q4"},
		{F16, []float32{65504, -65504}, ""},
		{F16, []float32{1, 70000}, "element 1 is 70000, outside the range ±65504 of F16"},
		{F32, []float32{float32(math.NaN())}, "element 0 is NaN, outside the range ±3.4028235e+38 of F32"},
		{F32, []float32{math.MaxFloat32}, ""},
	} {
		err := CheckQuantizable(c.dt, c.w)
		if got := fmt.Sprint(err); (c.want == "" && err != nil) || (c.want != "" && got != c.want) {
			t.Errorf("CheckQuantizable(%s, %v) = %v, want %q", c.dt, c.w, err, c.want)
		}
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		msg, _ := recover().(string)
		if !strings.Contains(msg, want) {
			t.Errorf("panic %q, want one containing %q", msg, want)
		}
	}()
	f()
}

func TestQuantPanics(t *testing.T) {
	q8 := make([]byte, ByteSize(Q8, 3, 33))
	mustPanic(t, "tensor: Quantize Q8 [2 3]: 5 values, want 6", func() { Quantize(Q8, make([]float32, 5), 2, 3) })
	mustPanic(t, "tensor: Quantize Q4: invalid shape [-1 3]", func() { Quantize(Q4, nil, -1, 3) })
	mustPanic(t, "tensor: Quantize: unknown dtype DType(9)", func() { Quantize(DType(9), nil, 1, 1) })
	mustPanic(t, "tensor: Quantize: element 1 is +Inf", func() { Quantize(Q8, []float32{0, float32(math.Inf(1))}, 1, 2) })
	mustPanic(t, "tensor: Dequantize Q8 [3 33]: 271 bytes, want 272", func() { Dequantize(make([]float32, 99), q8[:271], Q8, 3, 33) })
	mustPanic(t, "tensor: Dequantize Q8 [3 33]: dst holds 98 values, want 99", func() { Dequantize(make([]float32, 98), q8, Q8, 3, 33) })
	mustPanic(t, "tensor: Dequantize F16 [2 2]: 7 bytes, want 8", func() { Dequantize(make([]float32, 4), make([]byte, 7), F16, 2, 2) })
	mustPanic(t, "tensor: DequantizeRow Q8 [3 33]: row 3 out of range", func() { DequantizeRow(make([]float32, 33), q8, Q8, 3, 33, 3) })
	mustPanic(t, "tensor: DequantizeRow Q8 [3 33]: dst holds 32 values, want 33", func() { DequantizeRow(make([]float32, 32), q8, Q8, 3, 33, 0) })
	mustPanic(t, "tensor: DequantizeRow Q4 [3 33]: 272 bytes, want 144", func() { DequantizeRow(make([]float32, 33), q8, Q4, 3, 33, 0) })
}

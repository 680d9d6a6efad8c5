package backendtest

import (
	"encoding/binary"
	"math"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Q8 and Q4 matrices, read here straight from docs/format.md: a row is cut
// into ceil(cols/32) blocks, rows go in groups of 4, block b of row r sits
// in slot ((r/4)·blocks + b)·4 + r%4; all quants come first (32 bytes a
// slot for Q8, 16 for Q4), then one f16 scale per slot.

// quantBytes is the size of one slot's quants.
func quantBytes(dt tensor.DType) int {
	if dt == tensor.Q8 {
		return 32
	}
	return 16
}

// refQuantSize is the storage size of a quantized [rows, cols] matrix.
func refQuantSize(dt tensor.DType, rows, cols int) int {
	groups, blocks := (rows+3)/4, (cols+31)/32
	return groups * blocks * 4 * (quantBytes(dt) + 2)
}

// refF16 is the value of a binary16 pattern, from the IEEE 754 definition.
func refF16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, man := int(h>>10)&31, float64(h&0x3ff)
	switch exp {
	case 31:
		if man != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	case 0:
		return sign * math.Ldexp(man, -24)
	}
	return sign * math.Ldexp(1+man/1024, exp-15)
}

// refDequantize returns the values of a quantized [rows, cols] matrix:
// Q8 element j of a block is int8 byte j times the scale; Q4 element j is
// (low nibble of byte j − 8) times the scale, element j+16 the high nibble.
func refDequantize(dt tensor.DType, data []byte, rows, cols int) []float64 {
	blocks, qb := (cols+31)/32, quantBytes(dt)
	scales := (rows + 3) / 4 * blocks * 4 * qb
	out := make([]float64, rows*cols)
	for r := range rows {
		for c := range cols {
			b, j := c/32, c%32
			slot := ((r/4)*blocks+b)*4 + r%4
			d := refF16(binary.LittleEndian.Uint16(data[scales+2*slot:]))
			quants := data[slot*qb : (slot+1)*qb]
			var q int
			switch {
			case dt == tensor.Q8:
				q = int(int8(quants[j]))
			case j < 16:
				q = int(quants[j]&15) - 8
			default:
				q = int(quants[j-16]>>4) - 8
			}
			out[r*cols+c] = float64(q) * d
		}
	}
	return out
}

// randomQuant returns random storage for a quantized [rows, cols] matrix:
// any quants, and scales that are normal f16 values or zero (a GPU may
// flush f16 subnormals; no NaN or Inf).
func (e *env) randomQuant(dt tensor.DType, rows, cols int) []byte {
	data := make([]byte, refQuantSize(dt, rows, cols))
	for i := range data {
		data[i] = byte(e.rng.Uint32())
	}
	scales := (rows + 3) / 4 * ((cols + 31) / 32) * 4 * quantBytes(dt)
	for s := scales; s < len(data); s += 2 {
		h := uint16(e.rng.Uint32())
		switch exp := h >> 10 & 31; {
		case exp == 31:
			h &^= 0x4000 // keep the value finite
		case exp == 0:
			h &= 0x8000
		}
		binary.LittleEndian.PutUint16(data[s:], h)
	}
	return data
}

// testUploadQuant: a quantized upload takes exactly the documented number
// of bytes; any other count is an error (not a panic), and the tensor
// keeps its shape and dtype.
func testUploadQuant(e *env) {
	for _, dt := range e.b.WeightTypes() {
		if dt != tensor.Q8 && dt != tensor.Q4 {
			continue
		}
		for _, s := range [][2]int{{1, 1}, {3, 33}, {4, 32}, {5, 64}, {7, 100}} {
			rows, cols := s[0], s[1]
			size := refQuantSize(dt, rows, cols)
			for _, n := range []int{0, size - 1, size + 1, size - 2*((rows+3)/4*((cols+31)/32)*4), rows * cols * 2} {
				if err := e.tryUpload(dt, rows, cols, n); err == nil {
					e.Errorf("Upload %s [%d %d] of %d bytes (want %d) succeeded", dt, rows, cols, n, size)
				}
			}
			if err := e.tryUpload(dt, rows, cols, size); err != nil {
				e.Errorf("Upload %s [%d %d] of %d bytes: %v", dt, rows, cols, size, err)
			}
		}
	}
}

// tryUpload uploads n zero bytes as a [rows, cols] dt matrix, turning a
// panic into a test failure.
func (e *env) tryUpload(dt tensor.DType, rows, cols, n int) (err error) {
	e.Helper()
	defer func() {
		if p := recover(); p != nil {
			e.Errorf("Upload %s [%d %d] of %d bytes panicked: %v", dt, rows, cols, n, p)
			err = errPanic
		}
	}()
	t, err := e.b.Upload("q", dt, rows, cols, make([]byte, n))
	if err == nil && (t.Rows() != rows || t.Cols() != cols || t.DType() != dt) {
		e.Errorf("Upload %s [%d %d]: got [%d %d] %s", dt, rows, cols, t.Rows(), t.Cols(), t.DType())
	}
	if err == nil {
		e.b.Free(t)
	}
	return err
}

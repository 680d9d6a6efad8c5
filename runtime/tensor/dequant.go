package tensor

import (
	"encoding/binary"
	"fmt"
)

// Dequantize widens a stored [rows, cols] matrix of type dt into dst, which
// must hold exactly rows·cols values. Every dtype is accepted; the result is
// exact (a Q8 or Q4 value q·d is representable in float32).
//
// It panics when data is not ByteSize(dt, rows, cols) bytes long.
func Dequantize(dst []float32, data []byte, dt DType, rows, cols int) {
	checkStored("Dequantize", data, dt, rows, cols)
	if len(dst) != rows*cols {
		panic(fmt.Sprintf("tensor: Dequantize %s [%d %d]: dst holds %d values, want %d", dt, rows, cols, len(dst), rows*cols))
	}
	if !dt.Quantized() {
		DecodeF32(dst, data, dt)
		return
	}
	l := Layout(dt, rows, cols)
	for r := range rows {
		l.row(dst[r*cols:(r+1)*cols], data, r)
	}
}

// DequantizeRow widens row r of a stored [rows, cols] matrix of type dt
// into dst, which must hold exactly cols values.
//
// It panics when data is not ByteSize(dt, rows, cols) bytes long or r is
// outside [0, rows).
func DequantizeRow(dst []float32, data []byte, dt DType, rows, cols, r int) {
	checkStored("DequantizeRow", data, dt, rows, cols)
	if len(dst) != cols {
		panic(fmt.Sprintf("tensor: DequantizeRow %s [%d %d]: dst holds %d values, want %d", dt, rows, cols, len(dst), cols))
	}
	if r < 0 || r >= rows {
		panic(fmt.Sprintf("tensor: DequantizeRow %s [%d %d]: row %d out of range", dt, rows, cols, r))
	}
	if !dt.Quantized() {
		size := dt.Size()
		DecodeF32(dst, data[r*cols*size:], dt)
		return
	}
	Layout(dt, rows, cols).row(dst, data, r)
}

// row widens row r of the quantized matrix data into dst (Cols values).
func (l QuantLayout) row(dst []float32, data []byte, r int) {
	for b := range l.Blocks {
		d := F16ToF32(binary.LittleEndian.Uint16(data[l.ScaleAt(r, b):]))
		q := data[l.QuantsAt(r, b):][:l.BlockBytes]
		out := dst[b*BlockSize : min((b+1)*BlockSize, l.Cols)]
		for j := range out {
			out[j] = float32(l.quant(q, j)) * d
		}
	}
}

// quant is the signed integer value of element j of a block's quants.
func (l QuantLayout) quant(q []byte, j int) int {
	if l.DType == Q8 {
		return int(int8(q[j]))
	}
	if j < BlockSize/2 {
		return int(q[j]&0x0f) - 8
	}
	return int(q[j-BlockSize/2]>>4) - 8
}

// checkStored panics unless data is the exact storage of a [rows, cols]
// matrix of type dt.
func checkStored(op string, data []byte, dt DType, rows, cols int) {
	checkShape(op, dt, rows, cols)
	if want := ByteSize(dt, rows, cols); int64(len(data)) != want {
		panic(fmt.Sprintf("tensor: %s %s [%d %d]: %d bytes, want %d", op, dt, rows, cols, len(data), want))
	}
}

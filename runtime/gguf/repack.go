package gguf

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// GGML stores a quantized row as whole blocks, each an f16 scale followed
// by the quants; the project's layout (docs/format.md) interleaves rows in
// groups of 4 and keeps all quants before all scales. The quants and scales
// themselves are the same bytes in both, so converting is pure copying.

// ourType is the project's dtype for a GGML type.
func ourType(t Type) (tensor.DType, error) {
	switch t {
	case TypeF32:
		return tensor.F32, nil
	case TypeF16:
		return tensor.F16, nil
	case TypeBF16:
		return tensor.BF16, nil
	case TypeQ8_0:
		return tensor.Q8, nil
	case TypeQ4_0:
		return tensor.Q4, nil
	}
	return 0, fmt.Errorf("%s", t.unsupported())
}

// ggmlType is the GGML type for one of the project's dtypes.
func ggmlType(d tensor.DType) Type {
	switch d {
	case tensor.F16:
		return TypeF16
	case tensor.BF16:
		return TypeBF16
	case tensor.Q8:
		return TypeQ8_0
	case tensor.Q4:
		return TypeQ4_0
	}
	return TypeF32
}

// toPlanar repacks GGML blocks of a [rows, cols] matrix (cols a multiple of
// 32) into dst, which holds tensor.ByteSize(dt, rows, cols) bytes. The rows
// padding the last group are blocks of zero values with scale +0, as
// tensor.Quantize writes them.
func toPlanar(dst, src []byte, dt tensor.DType, rows, cols int) {
	clear(dst)
	l := tensor.Layout(dt, rows, cols)
	if dt == tensor.Q4 { // a zero Q4 value is the nibble 8
		for r := rows; r%tensor.RowGroup != 0; r++ {
			for b := range l.Blocks {
				q := dst[l.QuantsAt(r, b):][:l.BlockBytes]
				for i := range q {
					q[i] = 0x88
				}
			}
		}
	}
	gb := 2 + l.BlockBytes
	for r := range rows {
		for b := range l.Blocks {
			blk := src[(r*l.Blocks+b)*gb:][:gb]
			copy(dst[l.ScaleAt(r, b):][:2], blk[:2])
			copy(dst[l.QuantsAt(r, b):][:l.BlockBytes], blk[2:])
		}
	}
}

// fromPlanar is the inverse of toPlanar: dst receives rows·cols/32 GGML
// blocks.
func fromPlanar(dst, src []byte, dt tensor.DType, rows, cols int) {
	l := tensor.Layout(dt, rows, cols)
	gb := 2 + l.BlockBytes
	for r := range rows {
		for b := range l.Blocks {
			blk := dst[(r*l.Blocks+b)*gb:][:gb]
			copy(blk[:2], src[l.ScaleAt(r, b):][:2])
			copy(blk[2:], src[l.QuantsAt(r, b):][:l.BlockBytes])
		}
	}
}

// Package tensor defines the element types and host-side conversions shared
// by checkpoints and backends.
package tensor

import "fmt"

// DType is the element type of a tensor as stored on disk and on a device.
type DType uint8

const (
	F32 DType = iota + 1
	F16
	BF16
	Q8 // blocks of 32 int8 with an f16 scale, rows in groups of 4 (docs/format.md)
	Q4 // blocks of 32 4-bit values with an f16 scale, rows in groups of 4
	// KVQ8 is a KV cache's own type, never a weight's: int8 values with one
	// f32 scale per head and position, stored head by head (kvq8.go).
	KVQ8
)

// Quantized reports whether d stores blocks with scales (Q8, Q4) rather
// than one value per element.
func (d DType) Quantized() bool { return d == Q8 || d == Q4 }

// Size is the number of bytes of one element of a float type. It panics
// for quantized types, whose storage is given by ByteSize.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F16, BF16:
		return 2
	}
	panic(fmt.Sprintf("tensor: Size of %v", d))
}

// ByteSize is the number of bytes a [rows, cols] matrix of type d takes in
// the storage layout every backend computes on (docs/format.md).
func ByteSize(d DType, rows, cols int) int64 {
	if d.Quantized() {
		return int64(rowGroups(rows)) * int64(blocksPerRow(cols)) * RowGroup * int64(blockBytes(d)+2)
	}
	return int64(rows) * int64(cols) * int64(d.Size())
}

func (d DType) String() string {
	switch d {
	case F32:
		return "F32"
	case F16:
		return "F16"
	case BF16:
		return "BF16"
	case Q8:
		return "Q8"
	case Q4:
		return "Q4"
	case KVQ8:
		return "KVQ8"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// ParseFloatDType reads a safetensors dtype name. Only the float types the
// engine computes on are accepted.
func ParseFloatDType(s string) (DType, error) {
	switch s {
	case "F32":
		return F32, nil
	case "F16":
		return F16, nil
	case "BF16":
		return BF16, nil
	}
	return 0, fmt.Errorf("unsupported dtype %q (want F32, F16 or BF16)", s)
}

// ParseDType reads any dtype name of String, quantized ones included.
func ParseDType(s string) (DType, error) {
	switch s {
	case "Q8":
		return Q8, nil
	case "Q4":
		return Q4, nil
	}
	d, err := ParseFloatDType(s)
	if err != nil {
		return 0, fmt.Errorf("unsupported dtype %q (want F32, F16, BF16, Q8 or Q4)", s)
	}
	return d, nil
}

// NumElements is the product of the dimensions of shape (1 for a scalar).
// It returns -1 when the product overflows an int64 or a dimension is negative.
func NumElements(shape []int) int64 {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return -1
		}
		if d != 0 && n > (1<<62)/int64(d) {
			return -1
		}
		n *= int64(d)
	}
	return n
}

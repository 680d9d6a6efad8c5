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
)

// Size is the number of bytes of one element.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case F16, BF16:
		return 2
	}
	panic(fmt.Sprintf("tensor: unknown dtype %d", d))
}

func (d DType) String() string {
	switch d {
	case F32:
		return "F32"
	case F16:
		return "F16"
	case BF16:
		return "BF16"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// ParseDType reads a safetensors dtype name. Only the types the engine
// computes on are accepted.
func ParseDType(s string) (DType, error) {
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

package gguf

import "fmt"

// Type is a GGML tensor element type, as numbered in GGUF files.
type Type uint32

// The tensor types this package reads and writes.
const (
	TypeF32  Type = 0
	TypeF16  Type = 1
	TypeQ4_0 Type = 2
	TypeQ8_0 Type = 8
	TypeBF16 Type = 30
)

// blockSize is the number of elements of one Q4_0 or Q8_0 block.
const blockSize = 32

func (t Type) String() string {
	switch t {
	case TypeF32:
		return "F32"
	case TypeF16:
		return "F16"
	case TypeQ4_0:
		return "Q4_0"
	case TypeQ8_0:
		return "Q8_0"
	case TypeBF16:
		return "BF16"
	}
	if name, ok := otherTypes[t]; ok {
		return name
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// unsupported describes a type this package does not read, for errors.
func (t Type) unsupported() string {
	if name, ok := otherTypes[t]; ok {
		return fmt.Sprintf("ggml type %d (%s) is not supported", uint32(t), name)
	}
	return fmt.Sprintf("ggml type %d is not supported", uint32(t))
}

// otherTypes names GGML types this package does not read, for errors.
var otherTypes = map[Type]string{
	3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 9: "Q8_1", 10: "Q2_K", 11: "Q3_K", 12: "Q4_K",
	13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS",
	19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8",
	25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 34: "TQ1_0", 35: "TQ2_0",
	39: "MXFP4",
}

// ParseType reads a type name of String: "F32", "F16", "BF16", "Q8_0" or "Q4_0".
func ParseType(s string) (Type, error) {
	for _, t := range []Type{TypeF32, TypeF16, TypeBF16, TypeQ8_0, TypeQ4_0} {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("gguf: unsupported tensor type %q (want F32, F16, BF16, Q8_0 or Q4_0)", s)
}

// known reports whether t is one of the supported types.
func (t Type) known() bool {
	switch t {
	case TypeF32, TypeF16, TypeQ4_0, TypeQ8_0, TypeBF16:
		return true
	}
	return false
}

// quantized reports whether t stores blocks of 32 elements with a scale.
func (t Type) quantized() bool { return t == TypeQ4_0 || t == TypeQ8_0 }

// blockBytes is the size of one GGML block (an f16 scale, then the quants)
// for a quantized type, or of one element otherwise.
func (t Type) blockBytes() int64 {
	switch t {
	case TypeF32:
		return 4
	case TypeF16, TypeBF16:
		return 2
	case TypeQ4_0:
		return 2 + blockSize/2
	case TypeQ8_0:
		return 2 + blockSize
	}
	return 0
}

// byteSize is the size of a tensor of n elements whose rows hold cols of
// them; ok is false when a quantized row is not whole blocks.
func (t Type) byteSize(n, cols int64) (size int64, ok bool) {
	if !t.quantized() {
		return n * t.blockBytes(), true
	}
	if cols%blockSize != 0 {
		return 0, false
	}
	return n / blockSize * t.blockBytes(), true
}

// ValueType is the type of a metadata value, as numbered in GGUF files.
type ValueType uint32

// Metadata value types.
const (
	ValueUint8 ValueType = iota
	ValueInt8
	ValueUint16
	ValueInt16
	ValueUint32
	ValueInt32
	ValueFloat32
	ValueBool
	ValueString
	ValueArray
	ValueUint64
	ValueInt64
	ValueFloat64
)

// fixedSize is the encoded size of a scalar value type, 0 for strings and
// arrays, -1 for unknown types.
func (v ValueType) fixedSize() int64 {
	switch v {
	case ValueUint8, ValueInt8, ValueBool:
		return 1
	case ValueUint16, ValueInt16:
		return 2
	case ValueUint32, ValueInt32, ValueFloat32:
		return 4
	case ValueUint64, ValueInt64, ValueFloat64:
		return 8
	case ValueString, ValueArray:
		return 0
	}
	return -1
}

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32",
	"float32", "bool", "string", "array", "uint64", "int64", "float64"}

func (v ValueType) String() string {
	if int(v) < len(valueTypeNames) {
		return valueTypeNames[v]
	}
	return fmt.Sprintf("value type %d", uint32(v))
}

// minSize is the fewest bytes one value of type v can take.
func (v ValueType) minSize() int64 {
	switch v {
	case ValueString:
		return 8 // the length
	case ValueArray:
		return 12 // element type and count
	}
	return v.fixedSize()
}

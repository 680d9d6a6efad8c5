package gguf

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// KV is one metadata entry. Value holds a Go value of the GGUF type of the
// same name: uint8, int8, uint16, int16, uint32, int32, uint64, int64,
// float32, float64, bool or string; an array is a slice of one of these
// ([]string, []float32, …), and an array of arrays is a []any of such
// slices.
type KV struct {
	Key   string
	Value any
}

// Value returns the metadata value stored under key.
func (g *File) Value(key string) (any, bool) {
	i, ok := g.keys[key]
	if !ok {
		return nil, false
	}
	return g.KV[i].Value, true
}

// Tensor returns the info of the named tensor.
func (g *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := g.tensors[name]
	if !ok {
		return TensorInfo{}, false
	}
	t := g.Tensors[i]
	t.Dims = slices.Clone(t.Dims)
	return t, true
}

// ReadTensor copies the bytes of t, exactly t.Size of them, into dst.
func (g *File) ReadTensor(t TensorInfo, dst []byte) error {
	if int64(len(dst)) != t.Size {
		return fmt.Errorf("gguf: tensor %s: buffer of %d bytes for %d", clip(t.Name), len(dst), t.Size)
	}
	n, err := g.r.ReadAt(dst, t.Offset)
	if n == len(dst) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("gguf: tensor %s: read %d of %d bytes at offset %d: %v", clip(t.Name), n, len(dst), t.Offset, err)
}

// Shape is the row-major shape of t, outermost first: Dims reversed.
func (t TensorInfo) Shape() []int {
	s := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		s[len(s)-1-i] = int(d)
	}
	return s
}

// typeName names the GGUF type of a metadata value, for errors.
func typeName(v any) string {
	switch v.(type) {
	case uint8:
		return "uint8"
	case int8:
		return "int8"
	case uint16:
		return "uint16"
	case int16:
		return "int16"
	case uint32:
		return "uint32"
	case int32:
		return "int32"
	case uint64:
		return "uint64"
	case int64:
		return "int64"
	case float32:
		return "float32"
	case float64:
		return "float64"
	case bool:
		return "bool"
	case string:
		return "string"
	}
	return "array"
}

// clip quotes a name from the file for an error, cut to a readable length.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

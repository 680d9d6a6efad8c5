package gguf

import (
	"encoding/binary"
	"math"
)

// maxNesting bounds arrays of arrays, so that a hostile file cannot recurse
// without end.
const maxNesting = 8

// value reads one metadata value of type t. Scalars come back as the Go
// type of the same name (uint8 … float64, bool, string); arrays as a slice
// of that type ([]uint32, []string, …), and arrays of arrays as []any.
func (c *cursor) value(t ValueType, what string, depth int) any {
	at := c.off
	switch t {
	case ValueString:
		return c.str(what)
	case ValueArray:
		return c.array(what, depth)
	case ValueBool:
		b := c.fixed(1, what)[0]
		if b > 1 {
			c.fail(at, "%s: bool byte %d, want 0 or 1", what, b)
		}
		return b == 1
	}
	size := t.fixedSize()
	if size <= 0 {
		c.fail(at, "%s: unknown value type %d", what, uint32(t))
		return nil
	}
	return scalar(t, c.fixed(int(size), what))
}

// scalar decodes a little-endian number of type t from b.
func scalar(t ValueType, b []byte) any {
	le := binary.LittleEndian
	switch t {
	case ValueUint8:
		return b[0]
	case ValueInt8:
		return int8(b[0])
	case ValueUint16:
		return le.Uint16(b)
	case ValueInt16:
		return int16(le.Uint16(b))
	case ValueUint32:
		return le.Uint32(b)
	case ValueInt32:
		return int32(le.Uint32(b))
	case ValueFloat32:
		return math.Float32frombits(le.Uint32(b))
	case ValueUint64:
		return le.Uint64(b)
	case ValueInt64:
		return int64(le.Uint64(b))
	case ValueFloat64:
		return math.Float64frombits(le.Uint64(b))
	}
	return nil
}

// array reads an element type, a count and the elements. The count is
// checked against the bytes left before anything is allocated.
func (c *cursor) array(what string, depth int) any {
	at := c.off
	et := ValueType(c.u32(what + " array type"))
	n := c.u64(what + " array length")
	if c.err != nil {
		return nil
	}
	switch {
	case et.fixedSize() < 0:
		c.fail(at, "%s: unknown array element type %d", what, uint32(et))
		return nil
	case depth >= maxNesting:
		c.fail(at, "%s: arrays nested more than %d deep", what, maxNesting)
		return nil
	case !c.fits(at, n, et.minSize(), what+": array length"):
		return nil
	}
	le := binary.LittleEndian
	switch et {
	case ValueUint8:
		return readNumbers(c, n, 1, what, func(b []byte) uint8 { return b[0] })
	case ValueInt8:
		return readNumbers(c, n, 1, what, func(b []byte) int8 { return int8(b[0]) })
	case ValueUint16:
		return readNumbers(c, n, 2, what, le.Uint16)
	case ValueInt16:
		return readNumbers(c, n, 2, what, func(b []byte) int16 { return int16(le.Uint16(b)) })
	case ValueUint32:
		return readNumbers(c, n, 4, what, le.Uint32)
	case ValueInt32:
		return readNumbers(c, n, 4, what, func(b []byte) int32 { return int32(le.Uint32(b)) })
	case ValueFloat32:
		return readNumbers(c, n, 4, what, func(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) })
	case ValueUint64:
		return readNumbers(c, n, 8, what, le.Uint64)
	case ValueInt64:
		return readNumbers(c, n, 8, what, func(b []byte) int64 { return int64(le.Uint64(b)) })
	case ValueFloat64:
		return readNumbers(c, n, 8, what, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) })
	}
	switch et {
	case ValueBool:
		return readEach[bool](c, n, et, what, depth)
	case ValueString:
		return readEach[string](c, n, et, what, depth)
	}
	return readEach[any](c, n, et, what, depth)
}

// readEach reads n values of type et one by one.
func readEach[T any](c *cursor, n uint64, et ValueType, what string, depth int) []T {
	out := make([]T, 0, n)
	for range n {
		v := c.value(et, what, depth+1)
		if c.err != nil {
			return nil
		}
		out = append(out, v.(T))
	}
	return out
}

// readNumbers reads n fixed-size numbers, a chunk at a time.
func readNumbers[T any](c *cursor, n uint64, size int, what string, dec func([]byte) T) []T {
	out := make([]T, 0, n)
	buf := make([]byte, min(n*uint64(size), 64<<10))
	for n > 0 {
		k := min(n, uint64(len(buf)/size))
		chunk := buf[:k*uint64(size)]
		if !c.read(chunk, what) {
			return nil
		}
		for i := 0; i < len(chunk); i += size {
			out = append(out, dec(chunk[i:i+size]))
		}
		n -= k
	}
	return out
}

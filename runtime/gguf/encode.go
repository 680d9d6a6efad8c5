package gguf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// writeValue appends a metadata value, preceded by its type when typed is
// set (array elements share one type, written once before them).
func writeValue(b *bytes.Buffer, v any, typed bool) error {
	t, ok := valueType(v)
	if !ok {
		return fmt.Errorf("unsupported value type %T", v)
	}
	le := binary.LittleEndian
	if typed {
		b.Write(le.AppendUint32(nil, uint32(t)))
	}
	switch v := v.(type) {
	case uint8:
		b.WriteByte(v)
	case int8:
		b.WriteByte(byte(v))
	case uint16:
		b.Write(le.AppendUint16(nil, v))
	case int16:
		b.Write(le.AppendUint16(nil, uint16(v)))
	case uint32:
		b.Write(le.AppendUint32(nil, v))
	case int32:
		b.Write(le.AppendUint32(nil, uint32(v)))
	case uint64:
		b.Write(le.AppendUint64(nil, v))
	case int64:
		b.Write(le.AppendUint64(nil, uint64(v)))
	case float32:
		b.Write(le.AppendUint32(nil, math.Float32bits(v)))
	case float64:
		b.Write(le.AppendUint64(nil, math.Float64bits(v)))
	case bool:
		if v {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	case string:
		writeString(b, v)
	default:
		return writeArray(b, v)
	}
	return nil
}

// writeArray writes an element type, a count and the elements of a slice.
func writeArray(b *bytes.Buffer, v any) error {
	switch a := v.(type) {
	case []uint8:
		return writeElems(b, ValueUint8, a)
	case []int8:
		return writeElems(b, ValueInt8, a)
	case []uint16:
		return writeElems(b, ValueUint16, a)
	case []int16:
		return writeElems(b, ValueInt16, a)
	case []uint32:
		return writeElems(b, ValueUint32, a)
	case []int32:
		return writeElems(b, ValueInt32, a)
	case []uint64:
		return writeElems(b, ValueUint64, a)
	case []int64:
		return writeElems(b, ValueInt64, a)
	case []float32:
		return writeElems(b, ValueFloat32, a)
	case []float64:
		return writeElems(b, ValueFloat64, a)
	case []bool:
		return writeElems(b, ValueBool, a)
	case []string:
		return writeElems(b, ValueString, a)
	case []any:
		for _, e := range a {
			if t, _ := valueType(e); t != ValueArray {
				return fmt.Errorf("array of arrays holds a %T", e)
			}
		}
		return writeElems(b, ValueArray, a)
	}
	return fmt.Errorf("unsupported value type %T", v)
}

func writeElems[T any](b *bytes.Buffer, t ValueType, a []T) error {
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(t)))
	b.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(a))))
	for _, e := range a {
		if err := writeValue(b, e, false); err != nil {
			return err
		}
	}
	return nil
}

// valueType is the GGUF type of a Go metadata value.
func valueType(v any) (ValueType, bool) {
	switch v.(type) {
	case uint8:
		return ValueUint8, true
	case int8:
		return ValueInt8, true
	case uint16:
		return ValueUint16, true
	case int16:
		return ValueInt16, true
	case uint32:
		return ValueUint32, true
	case int32:
		return ValueInt32, true
	case uint64:
		return ValueUint64, true
	case int64:
		return ValueInt64, true
	case float32:
		return ValueFloat32, true
	case float64:
		return ValueFloat64, true
	case bool:
		return ValueBool, true
	case string:
		return ValueString, true
	case []uint8, []int8, []uint16, []int16, []uint32, []int32, []uint64, []int64,
		[]float32, []float64, []bool, []string, []any:
		return ValueArray, true
	}
	return 0, false
}

package gguf

import (
	"fmt"
	"math"
)

// meta reads typed metadata values, remembering the first problem. Like
// llama.cpp's loader it accepts any integer type for a count and float32 or
// float64 for a real number.
type meta struct {
	g   *File
	err error
}

func (k *meta) fail(format string, args ...any) {
	if k.err == nil {
		k.err = fmt.Errorf("gguf: "+format, args...)
	}
}

// size reads a positive count below 2³¹; def < 0 makes the key required.
func (k *meta) size(key string, def int) int {
	v, ok := k.g.Value(key)
	if !ok {
		if def < 0 {
			k.fail("missing metadata key %s", key)
		}
		return def
	}
	n, isInt := asInt(v)
	switch {
	case !isInt:
		k.fail("%s has type %s, want an integer", key, typeName(v))
	case n <= 0 || n > math.MaxInt32:
		k.fail("%s = %d: want a positive integer below 2^31", key, n)
	default:
		return int(n)
	}
	return 0
}

// id reads an optional token id; -1 when absent.
func (k *meta) id(key string) int {
	v, ok := k.g.Value(key)
	if !ok {
		return -1
	}
	n, isInt := asInt(v)
	switch {
	case !isInt:
		k.fail("%s has type %s, want an integer", key, typeName(v))
	case n < 0 || n > math.MaxInt32:
		k.fail("%s = %d: not a token id", key, n)
	default:
		return int(n)
	}
	return -1
}

// float reads a real number; a NaN default makes the key required.
func (k *meta) float(key string, def float64) float64 {
	v, ok := k.g.Value(key)
	if !ok {
		if math.IsNaN(def) {
			k.fail("missing metadata key %s", key)
		}
		return def
	}
	switch f := v.(type) {
	case float32:
		return float64(f)
	case float64:
		return f
	}
	k.fail("%s has type %s, want float32", key, typeName(v))
	return 0
}

// asInt widens any integer value; uint64 values above MaxInt64 saturate.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case uint8:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case int16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		return int64(min(n, math.MaxInt64)), true
	}
	return 0, false
}

// show prints a metadata value for an error.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return clip(v)
	case bool, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64:
	default:
		return "an array"
	}
	return fmt.Sprintf("%v (%s)", v, typeName(v))
}

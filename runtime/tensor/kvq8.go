package tensor

import "math"

// A KVQ8 cache of P positions, H heads and head dimension D stores int8
// values head by head, so that one head's keys (or values) for every
// position lie together: value i of head h at position p is byte
// (h·P + p)·D + i, and its scale is f32 number h·P + p of the scales. Each
// head's D values of a position are quantized on their own (QuantizeKVQ8):
// one scale per 80 values for Phi-2, which keeps a position's outliers from
// costing the other heads precision.

// KVQ8Bytes is the size of a KVQ8 cache's values and of its scales.
func KVQ8Bytes(positions, heads, headDim int) (values, scales int64) {
	n := int64(positions) * int64(heads)
	return n * int64(headDim), n * 4
}

// QuantizeKVQ8 writes x's values as int8 to q (len(x) of them) and returns
// their scale d: d = amax/127, q_i = clamp(round_half_away(x_i/d), −127,
// 127), and d = 0 with every q_i = 0 when x is all zeros. Unlike the Q8
// weight blocks, d stays f32: a cache is never stored, and an f16 scale
// would lose values below 6e-5·127.
func QuantizeKVQ8(q []int8, x []float32) (d float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	d = amax / 127
	for i, v := range x {
		var r float64
		if d != 0 {
			r = max(-127, min(127, math.Round(float64(v/d))))
		}
		q[i] = int8(r)
	}
	return d
}

// DequantizeKVQ8 writes d·q_i to dst, the values a KVQ8 cache stands for.
func DequantizeKVQ8(dst []float32, q []int8, d float32) {
	for i, v := range q {
		dst[i] = d * float32(v)
	}
}

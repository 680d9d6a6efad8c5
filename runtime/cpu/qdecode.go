package cpu

import "github.com/phi2web/phi2web/runtime/tensor"

// q4Values maps a Q4 byte to its two values: low nibble − 8, high nibble − 8.
var q4Values = func() (t [256][2]float32) {
	for i := range t {
		t[i] = [2]float32{float32(i&15) - 8, float32(i>>4) - 8}
	}
	return t
}()

// decodeQ8 widens a Q8 block's 32 int8 quants exactly.
func decodeQ8(dst *[tensor.BlockSize]float32, q []byte) {
	q = q[:tensor.BlockSize]
	for j, v := range q {
		dst[j] = float32(int8(v))
	}
}

// decodeQ4 widens a Q4 block's 16 bytes: byte j holds element j in its low
// nibble and element j+16 in its high nibble.
func decodeQ4(dst *[tensor.BlockSize]float32, q []byte) {
	q = q[:tensor.BlockSize/2]
	for j, v := range q {
		pair := &q4Values[v]
		dst[j], dst[j+tensor.BlockSize/2] = pair[0], pair[1]
	}
}

// dot32 is dot over one full block, unrolled: the same four accumulators
// (element j into j mod 4) and the same final (s0+s1)+(s2+s3), so it gives
// dot's bits.
func dot32(a, b *[tensor.BlockSize]float32) float32 {
	var s0, s1, s2, s3 float32
	for i := 0; i < tensor.BlockSize; i += 8 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
		s0 += a[i+4] * b[i+4]
		s1 += a[i+5] * b[i+5]
		s2 += a[i+6] * b[i+6]
		s3 += a[i+7] * b[i+7]
	}
	return (s0 + s1) + (s2 + s3)
}

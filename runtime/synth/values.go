package synth

import (
	"encoding/binary"
	"math"

	"github.com/phi2web/phi2web/runtime/tensor"
)

const golden = 0x9E3779B97F4A7C15

// splitmix64 returns output number k (from 0) of the splitmix64 generator
// started at seed; it is counter based, so any element can be computed alone.
func splitmix64(seed, k uint64) uint64 {
	z := seed + (k+1)*golden
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// value is element k of the checkpoint stream for a tensor with the given
// scale and offset: float32(offset + scale·r), r uniform in [-1, 1), in
// float64 arithmetic.
func value(seed, k uint64, scale, offset float64) float32 {
	u := float64(splitmix64(seed, k)>>11) * 0x1p-53
	r := 2*u - 1
	// The conversion keeps scale·r rounded on its own: no fused multiply-add.
	return float32(offset + float64(scale*r))
}

// encodeValues fills dst with the stored bytes of n = len(dst)/size elements
// starting at stream index first.
func encodeValues(dst []byte, dt tensor.DType, seed, first uint64, scale, offset float64) {
	size := dt.Size()
	for i := 0; i < len(dst)/size; i++ {
		v := value(seed, first+uint64(i), scale, offset)
		switch dt {
		case tensor.F32:
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		case tensor.F16:
			binary.LittleEndian.PutUint16(dst[2*i:], tensor.F32ToF16(v))
		case tensor.BF16:
			binary.LittleEndian.PutUint16(dst[2*i:], tensor.F32ToBF16(v))
		}
	}
}

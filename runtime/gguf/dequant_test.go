package gguf

import (
	"encoding/binary"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Test-side decoders, written from the block definitions alone.

// ggmlValues decodes GGML Q8_0 or Q4_0 blocks: each an f16 scale d and 32
// quants; Q8_0 value j is int8 byte j times d; Q4_0 byte j holds element j
// in its low nibble and j+16 in its high nibble, value (nibble - 8) · d.
func ggmlValues(t Type, raw []byte) []float32 {
	bb := int(t.blockBytes())
	var out []float32
	for off := 0; off < len(raw); off += bb {
		d := tensor.F16ToF32(binary.LittleEndian.Uint16(raw[off:]))
		qs := raw[off+2 : off+bb]
		block := make([]float32, 32)
		for j := range 32 {
			if t == TypeQ8_0 {
				block[j] = float32(int8(qs[j])) * d
			} else if j < 16 {
				block[j] = float32(int(qs[j]&0x0f)-8) * d
			} else {
				block[j] = float32(int(qs[j-16]>>4)-8) * d
			}
		}
		out = append(out, block...)
	}
	return out
}

package backendtest

import (
	"encoding/binary"
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Data movement is exact: every check here compares values for equality.

// randomBits returns n random 16-bit patterns of dt. BF16 patterns whose
// float32 value would be subnormal are made zero: a GPU may flush those, and
// no checkpoint depends on them. F16 subnormals widen to normal float32
// values and are kept.
func (e *env) randomBits(dt tensor.DType, n int) []byte {
	out := make([]byte, 2*n)
	for i := range n {
		h := uint16(e.rng.Uint32())
		if dt == tensor.BF16 && h&0x7f80 == 0 {
			h &= 0x8000
		}
		binary.LittleEndian.PutUint16(out[2*i:], h)
	}
	return out
}

// testEmbed: Embed widens table rows of every weight dtype exactly. F16 and
// BF16 tables hold random bit patterns (NaN, Inf and subnormals included),
// Q8 and Q4 tables random quants and scales, so this is also the Upload
// round trip for those dtypes. A Q8 or Q4 value q·d is exact in float32.
func testEmbed(e *env) {
	for _, dt := range e.b.WeightTypes() {
		for range 12 {
			vocab, cols, n := pick(e, 1, 3, 17, 40), pick(e, 1, 3, 16, 17, 33, 80), pick(e, 1, 2, 3, 7)
			var data []byte
			var all []float64
			switch {
			case dt.Quantized():
				data = e.randomQuant(dt, vocab, cols)
				all = refDequantize(dt, data, vocab, cols)
			case dt == tensor.F32:
				data = encode(dt, e.normal(vocab*cols, 0, 1))
			default:
				data = e.randomBits(dt, vocab*cols)
			}
			if all == nil {
				vals := make([]float32, vocab*cols)
				tensor.DecodeF32(vals, data, dt)
				all = widen(vals)
			}
			table := e.uploadRaw("table", dt, vocab, cols, data)
			ids := make([]int32, n)
			want := make([]float64, 0, n*cols)
			for i := range ids {
				ids[i] = int32(e.rng.IntN(vocab))
				want = append(want, all[int(ids[i])*cols:int(ids[i]+1)*cols]...)
			}
			dst := e.f32("dst", n, cols, e.normal(n*cols, 0, 1))
			e.b.Embed(dst, table, ids)
			e.expect(fmt.Sprintf("%s table [%d %d] ids %v", dt, vocab, cols, ids), e.read(dst), want, nil)
		}
	}
}

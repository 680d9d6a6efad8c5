package cpu

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// Copy copies rows [srcRow, srcRow+n) of src to dst from dstRow on,
// rounding F32 values to F16 by tensor.F32ToF16 for an F16 dst and
// quantizing them by tensor.QuantizeKVQ8 for a KVQ8 dst.
// Overlapping ranges of one tensor are copied as if through a temporary.
func (b *Backend) Copy(dst backend.Tensor, dstRow int, src backend.Tensor, srcRow, n int) {
	const op = "Copy"
	d, s := b.get(op, dst), b.get(op, src)
	backend.CheckCopy(dst, dstRow, src, srcRow, n)
	if d.dt == tensor.KVQ8 {
		copyKVQ8(d.buf.kv, dstRow, s, srcRow, n)
		return
	}
	lo, hi, from, to := dstRow*d.cols, (dstRow+n)*d.cols, srcRow*s.cols, (srcRow+n)*s.cols
	switch {
	case d.dt == tensor.F32:
		copy(d.f32()[lo:hi], s.f32()[from:to])
	case s.dt == tensor.F16:
		copy(d.u16()[lo:hi], s.u16()[from:to])
	default:
		out := d.u16()[lo:hi]
		for i, v := range s.f32()[from:to] {
			out[i] = tensor.F32ToF16(v)
		}
	}
}

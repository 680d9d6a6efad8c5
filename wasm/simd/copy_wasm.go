package simd

import (
	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// Copy copies rows [srcRow, srcRow+n) of src to dst from dstRow on; F32
// rows into an F16 tensor are rounded to nearest even by the copy_f16
// kernel (which sets f16Flag's flag where it writes Inf or NaN), F16 rows
// of an uploaded tensor make dst count as uploaded too, and rows into a
// KVQ8 cache are quantized by copy_kvq8. Overlapping ranges of one tensor
// are copied by a single job, as if through a temporary.
func (b *Backend) Copy(dst backend.Tensor, dstRow int, src backend.Tensor, srcRow, n int) {
	const op = "Copy"
	d, s := b.get(op, dst), b.get(op, src)
	backend.CheckCopy(dst, dstRow, src, srcRow, n)
	if d.dt == tensor.KVQ8 {
		b.copyKVQ8(d, dstRow, s, srcRow, n)
		return
	}
	values := n * d.cols
	parts := b.parts(values, 1, minElements)
	if d.buf == s.buf {
		parts = 1
	}
	if d.dt == tensor.F16 && s.dt == tensor.F16 && s.buf.uploaded {
		d.buf.uploaded = true // any Inf or NaN they hold pass the flag by
	}
	var flag int32
	if d.dt == tensor.F16 && s.dt == tensor.F32 {
		var ok bool
		if flag, ok = b.f16Flag(op, false); !ok {
			return
		}
	}
	to, from := d.addr(dstRow), s.addr(srcRow)
	out, in := int32(d.dt.Size()), int32(s.dt.Size())
	split(values, parts, 16, func(lo, hi int) {
		if out == in {
			b.job(kernels.Copy, to+out*int32(lo), from+in*int32(lo), out*int32(hi-lo))
		} else {
			b.job(kernels.CopyF16, to+out*int32(lo), from+in*int32(lo), int32(hi-lo), flag)
		}
	})
	b.submit(op)
}

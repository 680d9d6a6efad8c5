package cpu

import (
	"math"
	"sync"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// f16Table widens every binary16 bit pattern; 256 KiB, built on first use.
var f16Table = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = tensor.F16ToF32(uint16(i))
	}
	return &t
})

// widen writes the float32 values of src, which holds dt bits (F16 or BF16),
// into dst. Both conversions are exact.
func widen(dst []float32, src []uint16, dt tensor.DType) {
	dst = dst[:len(src)]
	if dt == tensor.BF16 {
		for i, v := range src {
			dst[i] = math.Float32frombits(uint32(v) << 16)
		}
		return
	}
	tab := f16Table()
	for i, v := range src {
		dst[i] = tab[v]
	}
}

// weightRows returns rows [r0, r1) of the weight matrix w as float32: the
// tensor's own memory for F32, else widened into scratch (grown as needed).
func weightRows(w *handle, r0, r1 int, scratch *[]float32) []float32 {
	lo, hi := w.off+r0*w.cols, w.off+r1*w.cols
	if w.dt == tensor.F32 {
		return w.buf.f32[lo:hi]
	}
	if cap(*scratch) < hi-lo {
		*scratch = make([]float32, hi-lo)
	}
	s := (*scratch)[:hi-lo]
	widen(s, w.buf.u16[lo:hi], w.dt)
	return s
}

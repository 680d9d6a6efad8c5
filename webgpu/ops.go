package webgpu

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// words is the element offset of an F32 or F16 tensor in 32-bit words
// (F32) or halves (F16); kernels index their buffers with it.
func (t *gpuTensor) words() uint32 { return uint32(t.off) }

func f32bits(f float32) uint32 { return math.Float32bits(f) }

// grid spreads n threads in groups of wg over a 2-D grid (each dimension
// at most 65535 workgroups).
func grid(n, wg int) (int, int) {
	groups := max(1, (n+wg-1)/wg)
	if groups <= 65535 {
		return groups, 1
	}
	return 65535, (groups + 65534) / 65535
}

// dtName is the kernel suffix of a dtype.
func dtName(d tensor.DType) string {
	switch d {
	case tensor.F32:
		return "f32"
	case tensor.F16:
		return "f16"
	case tensor.Q8:
		return "q8"
	case tensor.Q4:
		return "q4"
	}
	panic("webgpu: no kernels for " + d.String())
}

// elementwise records a kernel of elementwise.wgsl or copy.wgsl over dst
// and up to three operands. An operand whose buffer is already bound (dst,
// or an earlier operand) is read through that binding, and its own binding
// gets a placeholder: WebGPU refuses one buffer bound twice as writable
// storage.
func (b *Backend) elementwise(name string, params []uint32, gx, gy int, dst *buffer, operands ...*buffer) {
	bufs := []*buffer{dst, b.dummies[2], b.dummies[3], b.dummies[4]}
	src := [3]int{2, 3, 4}
	aliased := false
	for i, o := range operands {
		for j := range i + 1 {
			if bufs[j] == o {
				src[i], aliased = j+1, true
				break
			}
		}
		if src[i] == i+2 {
			bufs[i+1] = o
		}
	}
	k := b.kern.get(name)
	if aliased {
		var err error
		k, err = b.kern.variant(name, fmt.Sprintf("a%db%dc%d", src[0], src[1], src[2]),
			map[string]any{"A_SRC": src[0], "B_SRC": src[1], "C_SRC": src[2]})
		if err != nil {
			b.rec.fail(err)
			return
		}
	}
	b.rec.dispatch(k, params, bufs, gx, gy)
}

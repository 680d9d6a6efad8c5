package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

var embedKernels = []struct {
	dt tensor.DType
	id int
}{{tensor.F32, EmbedF32}, {tensor.F16, EmbedF16}, {tensor.Q8, EmbedQ8}, {tensor.Q4, EmbedQ4}}

// TestEmbed: rows gathered by id equal the reference's bit for bit (every
// dtype widens exactly), for tables whose rows and columns are not
// multiples of 4 or 32, with repeated ids.
func TestEmbed(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	d := newDevice(t, 4<<20, 1)
	r := newRef(t)
	for _, ek := range embedKernels {
		for range 6 {
			d.reset()
			rows, cols, n := pick(rng, 1, 5, 8, 13), pick(rng, 1, 3, 32, 33, 70, 100), pick(rng, 1, 2, 7)
			table := normal(rng, rows*cols, 0, 2)
			ids := make([]int32, n)
			for i := range ids {
				ids[i] = int32(rng.IntN(rows))
			}
			tb := storage(ek.dt, table, rows, cols)
			want := r.alloc(n, cols)
			r.b.Embed(want, r.upload(ek.dt, rows, cols, tb), ids)

			dst := d.alloc(4 * n * cols)
			d.call(0, ek.id, dst, d.put(tb), d.putI32(ids), uint32(n), uint32(cols), uint32(rows))
			same(t, fmt.Sprintf("%s [%d %d] ids %v", ek.dt, rows, cols, ids), d.f32s(dst, n*cols), r.read(want))
		}
	}
}

// TestEmbedF16Special: Inf, NaN, subnormals and signed zeros widen exactly.
func TestEmbedF16Special(t *testing.T) {
	halfs := []uint16{0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x0001, 0x83ff, 0x0000, 0x8000, 0x3c00, 0xfbff, 0x0400}
	b := make([]byte, 2*len(halfs))
	for i, h := range halfs {
		b[2*i], b[2*i+1] = byte(h), byte(h>>8)
	}
	d := newDevice(t, 1<<20, 1)
	dst := d.alloc(4 * len(halfs))
	d.call(0, EmbedF16, dst, d.put(b), d.putI32([]int32{0}), 1, uint32(len(halfs)), 1)
	for i, v := range d.f32s(dst, len(halfs)) {
		want := tensor.F16ToF32(halfs[i])
		if bits(v) != bits(want) {
			t.Errorf("half %#04x widened to %g (%#08x), want %g (%#08x)", halfs[i], v, bits(v), want, bits(want))
		}
	}
}

// TestEmbedBadID: an id outside the table traps instead of reading
// another tensor.
func TestEmbedBadID(t *testing.T) {
	d := newDevice(t, 1<<20, 1)
	for _, ek := range embedKernels {
		for _, id := range []int32{3, -1} {
			d.reset()
			tb := storage(ek.dt, make([]float32, 3*8), 3, 8)
			err := d.try(0, ek.id, d.alloc(32), d.put(tb), d.putI32([]int32{0, id}), 2, 8, 3)
			if err == nil {
				t.Errorf("%s: id %d of a 3-row table did not trap", ek.dt, id)
			}
		}
	}
}

package kernels

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestConcurrentInstances: two kernel instances on the same shared memory,
// run from two goroutines on independent output ranges (halves of a Q4
// matmul's columns, halves of attention's heads), give exactly what one
// instance gives. Run with -race to check the host side too.
func TestConcurrentInstances(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	d := newDevice(t, 8<<20, 2)
	const n, k, m = 3, 320, 64
	wa := d.put(storage(tensor.Q4, normal(rng, m*k, 0, 1), m, k))
	xa := d.putF32(normal(rng, n*k, 0, 1))
	const heads, hd, pos0, rows = 4, 40, 20, 2
	cols := heads * hd
	qa := d.putF32(normal(rng, rows*cols, 0, 2))
	ka, va := d.putF32(normal(rng, (pos0+rows)*cols, 0, 2)), d.putF32(normal(rng, (pos0+rows)*cols, 0, 1))
	mmScratch := []uint32{d.alloc(MatMulScratch(n, k)), d.alloc(MatMulScratch(n, k))}
	matmul := func(inst int, dst uint32, j0, j1 int) error {
		return d.try(inst, MatmulQ4, dst, xa, wa, 0, n, k, m, uint32(j0), uint32(j1), mmScratch[inst])
	}
	attention := func(inst int, dst, scratch uint32, h0, h1 int) error {
		return d.try(inst, Attention, dst, qa, ka, va, pos0, rows, uint32(cols), hd, bits(0.15), uint32(h0), uint32(h1), scratch)
	}
	mmWant, attWant := d.alloc(4*n*m), d.alloc(4*rows*cols)
	if err := errors.Join(matmul(0, mmWant, 0, m), attention(0, attWant, d.alloc(AttentionScratch(heads, pos0+rows)), 0, heads)); err != nil {
		t.Fatal(err)
	}

	mmGot, attGot := d.alloc(4*n*m), d.alloc(4*rows*cols)
	scratch := []uint32{d.alloc(AttentionScratch(heads, pos0+rows)), d.alloc(AttentionScratch(heads, pos0+rows))}
	var wg sync.WaitGroup
	for inst := range 2 {
		wg.Go(func() {
			for range 20 {
				err := errors.Join(matmul(inst, mmGot, inst*m/2, (inst+1)*m/2),
					attention(inst, attGot, scratch[inst], inst*heads/2, (inst+1)*heads/2))
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	same(t, "matmul_q4 from two instances", d.f32s(mmGot, n*m), d.f32s(mmWant, n*m))
	same(t, "attention from two instances", d.f32s(attGot, rows*cols), d.f32s(attWant, rows*cols))
}

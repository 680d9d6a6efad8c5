//go:build (js && wasm) || (cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import (
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestReservedUnmapped checks when a reserved weight's buffers stop being
// mapped: each one as soon as parts have covered it (a mapped range holds
// memory of its own in a browser), the rest at the tensor's first use;
// and that a part after that is refused rather than lost.
func TestReservedUnmapped(t *testing.T) {
	b := newOrFail(t, Options{SkipSelfTest: true, MaxPieceBytes: 1024})
	defer b.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	vals := make([]float32, 64*64)
	for i := range vals {
		vals[i] = float32(rng.NormFloat64())
	}
	data := tensor.Quantize(tensor.Q4, vals, 64, 64)
	mapped := func(g *gpuTensor) (n int) {
		for _, p := range g.pieces {
			if p.buf.rng != nil {
				n++
			}
		}
		return n
	}

	r, err := b.Reserve("w", tensor.Q4, 64, 64)
	if err != nil {
		t.Fatal(err)
	}
	g := r.(*gpuTensor)
	if len(g.pieces) < 2 || mapped(g) != len(g.pieces) {
		t.Fatalf("reserved: %d of %d pieces mapped, want all of at least 2", mapped(g), len(g.pieces))
	}
	// The first half of the bytes covers the first piece's quants but
	// none of its scales (they follow all the quants): nothing is done.
	if err := b.UploadPart(r, 0, data[:len(data)/2]); err != nil {
		t.Fatal(err)
	}
	if mapped(g) != len(g.pieces) {
		t.Fatalf("after the quants of half the rows: %d of %d pieces mapped, want all", mapped(g), len(g.pieces))
	}
	if err := b.UploadPart(r, int64(len(data)/2), data[len(data)/2:]); err != nil {
		t.Fatal(err)
	}
	if mapped(g) != 0 {
		t.Fatalf("every byte written: %d pieces still mapped", mapped(g))
	}
	if err := b.UploadPart(r, 0, data[:4]); err == nil {
		t.Error("a part after every byte was written succeeded")
	}

	// Partly written, then used: settled at the use, later parts refused.
	r2, err := b.Reserve("w2", tensor.Q4, 64, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.UploadPart(r2, 0, data[:100]); err != nil {
		t.Fatal(err)
	}
	x, err := b.Upload("x", tensor.F32, 1, 64, make([]byte, 4*64))
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Alloc("out", tensor.F32, 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	b.MatMul(out, x, r2, nil)
	if n := mapped(r2.(*gpuTensor)); n != 0 {
		t.Fatalf("used: %d pieces still mapped", n)
	}
	if err := b.UploadPart(r2, 100, data[100:200]); err == nil {
		t.Error("a part after the tensor's first use succeeded")
	}
	if err := b.Read(out, make([]float32, 64)); err != nil {
		t.Fatalf("reading the product: %v", err)
	}
}

package simd

import (
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/wasm/kernels"
)

// TestArena: first fit from freed blocks, merged with their neighbours,
// and only never-used memory reported zero.
func TestArena(t *testing.T) {
	a := &arena{top: device.top, grown: device.grown} // addresses only; nothing is written
	x, zx, err := a.alloc(1000)
	if err != nil || x%align != 0 || !zx {
		t.Fatalf("alloc(1000) = %d, zero %v, %v", x, zx, err)
	}
	y, _, _ := a.alloc(align)
	z, _, _ := a.alloc(3 * align)
	if y != x+4*align || z != y+align {
		t.Fatalf("bump allocations at %d, %d, %d", x, y, z)
	}
	a.release(x, 1000)
	a.release(z, 3*align)
	a.release(y, align) // joins x's and z's spans into one of 8 aligns
	if got, zero, _ := a.alloc(8 * align); got != x || zero {
		t.Errorf("alloc of the merged span = %d (zero %v), want %d, not zero", got, zero, x)
	}
}

// TestAllocReusesCleared: a tensor allocated where a freed one was reads
// zero.
func TestAllocReusesCleared(t *testing.T) {
	b := New()
	defer b.Close()
	ones := make([]byte, 4*300)
	for i := 3; i < len(ones); i += 4 {
		ones[i] = 0x3f // 0.5
	}
	u, err := b.Upload("ones", tensor.F32, 3, 100, ones)
	if err != nil {
		t.Fatal(err)
	}
	b.Free(u)
	z, _ := b.Alloc("zeros", tensor.F32, 3, 100)
	if z.(*handle).buf.addr != u.(*handle).buf.addr {
		t.Fatalf("Alloc did not reuse the freed block")
	}
	got := make([]float32, 300)
	if err := b.Read(z, got); err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != 0 {
			t.Fatalf("value %d = %v after Alloc", i, v)
		}
	}
}

// TestDeviceFull: more than 4 GiB is an error from Alloc and Upload.
func TestDeviceFull(t *testing.T) {
	b := New()
	defer b.Close()
	if _, err := b.Alloc("huge", tensor.F32, 1<<16, 1<<15); err == nil || !strings.Contains(err.Error(), "device memory full") {
		t.Errorf("Alloc of 8 GiB: %v", err)
	}
	if _, err := b.Alloc("small", tensor.F32, 2, 2); err != nil {
		t.Errorf("Alloc after a refused one: %v", err)
	}
}

// TestFailedRun: a job that fails (an unknown kernel, a kernel that traps)
// is reported by the next Read and Argmax, naming the op and kernel, and
// later ops are skipped; a new backend works again.
func TestFailedRun(t *testing.T) {
	for _, c := range []struct {
		job  []int32
		want string
	}{
		{[]int32{1000}, "simd: Test: kernel ? failed in job 1 of 2"},
		// A product whose output lies past the end of the device memory.
		{[]int32{kernels.MatmulF32, -256, 256, 256, 0, 1, 4, 4, 0, 4}, "simd: Test: kernel matmul_f32 failed in job 1 of 2"},
	} {
		b := New()
		x, _ := b.Alloc("x", tensor.F32, 1, 8)
		b.job(kernels.Copy, x.(*handle).addr(0), x.(*handle).addr(0), 32)
		b.job(c.job[0], c.job[1:]...)
		b.submit("Test")
		b.Add(x, x, x)
		if err := b.Read(x, make([]float32, 8)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read after a failed run: %v, want %q", err, c.want)
		}
		if _, err := b.Argmax(x, 0); err == nil {
			t.Error("Argmax after a failed run succeeded")
		}
		b.Close()
	}
	b := New()
	defer b.Close()
	x, _ := b.Upload("x", tensor.F32, 1, 2, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40})
	b.Add(x, x, x)
	if got := make([]float32, 2); b.Read(x, got) != nil || got[0] != 2 || got[1] != 4 {
		t.Errorf("a new backend after failures: 1+1, 2+2 = %v", got)
	}
}

// TestPreconditions: what the kernels cannot do panics, saying why.
func TestPreconditions(t *testing.T) {
	b := New()
	defer b.Close()
	q, _ := b.Alloc("q", tensor.F32, 1, 12)
	kv, _ := b.Alloc("kv", tensor.F32, 2, 12)
	wantPanic(t, "head dim 6 is not a multiple of 4", func() { b.Attention(q, q, kv, kv, 0, 6, 1) })
	w, err := b.Upload("w", tensor.Q8, 8, 32, make([]byte, tensor.ByteSize(tensor.Q8, 8, 32)))
	if err != nil {
		t.Fatal(err)
	}
	wantPanic(t, "must start at a multiple of 4 rows", func() { b.View(w, 2, 4) })
}

func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), want) {
			t.Errorf("panic %v, want one saying %q", r, want)
		}
	}()
	f()
}

// TestOpsDoNotAllocate: once scratch memory is in place, ops build their
// jobs in the preallocated buffer.
func TestOpsDoNotAllocate(t *testing.T) {
	b := New()
	defer b.Close()
	alloc := func(rows, cols int) *handle {
		h, err := b.Alloc("t", tensor.F32, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		return h.(*handle)
	}
	x, y, w, dst, gamma := alloc(2, 64), alloc(2, 64), alloc(96, 64), alloc(2, 96), alloc(1, 64)
	table, kv := alloc(10, 16), alloc(8, 64)
	q4, err := b.Upload("q4", tensor.Q4, 100, 64, make([]byte, tensor.ByteSize(tensor.Q4, 100, 64)))
	if err != nil {
		t.Fatal(err)
	}
	q4view := b.View(q4, 4, 96)
	ids, kvView := []int32{1, 2}, b.View(kv, 2, 6)
	kv16, err := b.Alloc("kv16", tensor.F16, 8, 64)
	if err != nil {
		t.Fatal(err)
	}
	kvq8, err := b.AllocKV("kvq8", tensor.KVQ8, 8, 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	ops := func() {
		b.MatMul(dst, x, w, nil)
		b.MatMul(dst, x, q4view, nil)
		b.Add(x, x, y)
		b.Add3(x, x, y, y)
		b.GeluNew(y, x)
		b.LayerNorm(y, x, gamma, gamma, 1e-5)
		b.Rope(x, table, 3, 16, 16)
		b.Attention(y, x, kv, kv, 5, 16, 0.25)
		b.Copy(kv, 5, x, 0, 2)
		b.Attention(y, x, kv16, kv16, 5, 16, 0.25)
		b.Copy(kv16, 5, x, 0, 2)
		b.Attention(y, x, kvq8, kvq8, 5, 16, 0.25)
		b.Copy(kvq8, 5, x, 0, 2)
		b.Embed(x, kvView, ids)
		if _, err := b.Argmax(y, 1); err != nil {
			t.Fatal(err)
		}
	}
	ops() // scratch memory is reserved on first use
	if n := testing.AllocsPerRun(20, ops); n != 0 {
		t.Errorf("%v allocations per round of ops", n)
	}
	if err := b.Read(y, make([]float32, 128)); err != nil {
		t.Fatal(err)
	}
}

package cpu

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// mustPanic runs op and checks that it panics with a message containing want.
func mustPanic(t *testing.T, want string, op func()) {
	t.Helper()
	defer func() {
		t.Helper()
		msg, _ := recover().(string)
		if !strings.Contains(msg, want) {
			t.Errorf("panic %q, want one containing %q", msg, want)
		}
	}()
	op()
}

func TestGuards(t *testing.T) {
	f := newFixture(t)
	b := f.b
	x := f.random("x", tensor.F32, 2, 8)
	w := f.random("w", tensor.F16, 4, 8)
	y, _ := b.Alloc("y", tensor.F32, 2, 4)
	other := New(WithWorkers(1))
	defer other.Close()
	foreign, _ := other.Alloc("foreign", tensor.F32, 2, 8)

	mustPanic(t, `backend: MatMul: x "x" is [2 8] but w "y" is [2 4]`, func() { b.MatMul(y, x, y, nil) })
	mustPanic(t, `backend: MatMul: dst "x" is [2 8], want [2 4]`, func() { b.MatMul(x, x, w, nil) })
	mustPanic(t, `backend: MatMul: bias "x"`, func() { b.MatMul(y, x, w, x) })
	mustPanic(t, `backend: Add: shape [2 4] vs [2 8]`, func() { b.Add(y, x, x) })
	mustPanic(t, `backend: GeluNew: tensor "w" is F16, want F32`, func() { b.GeluNew(w, w) })
	mustPanic(t, `belongs to another backend`, func() { b.Add(x, x, foreign) })
	mustPanic(t, `backend: Embed: id 4 at 1 outside table "w" with 4 rows`, func() { b.Embed(x, w, []int32{0, 4}) })
	mustPanic(t, `backend: View: rows [1, 3) outside`, func() { b.View(x, 1, 2) })
	mustPanic(t, `backend: Copy:`, func() { b.Copy(x, 1, x, 0, 2) })
	mustPanic(t, `backend: Rope: rotary dim 6 must be even and in (0, 4]`, func() { b.Rope(x, x, 0, 4, 6) })
	mustPanic(t, `backend: Attention: positions [1, 3) exceed the 2 cache rows`, func() { b.Attention(x, x, x, x, 1, 4, 1) })
	mustPanic(t, `backend: Attention: dst "x" overlaps the cache`, func() { b.Attention(x, x, x, x, 0, 4, 1) })
	mustPanic(t, `backend: Read: dst holds 3 values`, func() { b.Read(x, make([]float32, 3)) })
	mustPanic(t, `backend: Free: tensor "x" is a view`, func() { b.Free(b.View(x, 0, 1)) })

	v := b.View(x, 0, 1)
	b.Free(x)
	mustPanic(t, `tensor "x" was freed`, func() { b.GeluNew(v, v) })
}

func TestUploadErrors(t *testing.T) {
	b := New(WithWorkers(1))
	for _, c := range []struct {
		dt         tensor.DType
		rows, cols int
		data       int
		want       string
	}{
		{tensor.F16, 2, 3, 11, `cpu: upload "t": 11 bytes, want 12 for [2 3] F16`},
		{tensor.F32, -1, 3, 0, `cpu: upload "t": invalid shape [-1 3]`},
		{tensor.DType(9), 1, 1, 4, `cpu: upload "t": unsupported dtype DType(9)`},
		{tensor.Q8, 5, 33, 543, `cpu: upload "t": 543 bytes, want 544 for [5 33] Q8`}, // 2 groups · 2 blocks · 4 · 34
		{tensor.Q4, 1, 1, 64, `cpu: upload "t": 64 bytes, want 72 for [1 1] Q4`},      // quants alone, no scales
		{tensor.Q8, 1, math.MaxInt / 4, 0, `cpu: upload "t": invalid shape [1 2305843009213693951]`},
	} {
		if _, err := b.Upload("t", c.dt, c.rows, c.cols, make([]byte, c.data)); err == nil || err.Error() != c.want {
			t.Errorf("Upload(%s, %d, %d, %d bytes) = %v, want %s", c.dt, c.rows, c.cols, c.data, err, c.want)
		}
	}
	if _, err := b.Alloc("a", tensor.F32, 1<<40, 1<<40); err == nil {
		t.Errorf("Alloc of 2⁸⁰ elements succeeded")
	}
	x, _ := b.Alloc("x", tensor.F32, 1, 2)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Read(x, make([]float32, 2)); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close = %v, want ErrClosed", err)
	}
	if _, err := b.Upload("t", tensor.F32, 1, 1, make([]byte, 4)); !errors.Is(err, ErrClosed) {
		t.Errorf("Upload after Close = %v, want ErrClosed", err)
	}
	mustPanic(t, "was freed or its backend closed", func() { b.Add(x, x, x) })
}

// Steady state: once scratch has grown, no op allocates.
func TestNoAllocations(t *testing.T) {
	f := newFixture(t, WithWorkers(2))
	b := f.b
	const n, d, heads = 3, 160, 2
	x, h := f.random("x", tensor.F32, n, d), f.random("h", tensor.F32, n, 4*d)
	w1, w2 := f.random("w1", tensor.F16, 4*d, d), f.random("w2", tensor.BF16, d, 4*d)
	g, beta, bias := f.random("g", tensor.F32, 1, d), f.random("beta", tensor.F32, 1, d), f.random("bias", tensor.F32, 1, 4*d)
	table, cache := f.random("table", tensor.F32, 64, 32), f.random("cache", tensor.F32, 64, d)
	emb := f.random("emb", tensor.F16, 50, d)
	q8, q4 := f.random("q8", tensor.Q8, 4*d, d), f.random("q4", tensor.Q4, d, 4*d)
	qemb := f.random("qemb", tensor.Q4, 50, d)
	ids, out := []int32{3, 1, 4}, make([]float32, n*d)
	step := func() {
		b.Embed(x, emb, ids)
		b.LayerNorm(x, x, g, beta, 1e-5)
		b.MatMul(h, x, w1, bias)
		b.GeluNew(h, h)
		b.MatMul(x, h, w2, nil)
		b.MatMul(h, x, q8, bias)
		b.MatMul(x, h, q4, nil)
		b.Embed(x, qemb, ids)
		b.Rope(x, table, 5, d/heads, 32)
		b.Copy(cache, 5, x, 0, n)
		b.Attention(x, x, cache, cache, 5, d/heads, 0.1)
		b.Add3(x, x, x, x)
		b.Read(x, out)
		b.Argmax(x, 0)
	}
	step()
	if allocs := testing.AllocsPerRun(20, step); allocs != 0 {
		t.Errorf("a step allocates %v times", allocs)
	}
	var _ backend.Backend = b
}

// TestMemoryLimit: tensors past the limit are refused with the sizes, and
// freeing one makes room again.
func TestMemoryLimit(t *testing.T) {
	b := New(WithWorkers(1), WithMemoryLimit(1<<20))
	defer b.Close()
	w, err := b.Upload("w", tensor.F16, 256, 1024, make([]byte, 512<<10))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Alloc("a", tensor.F32, 128, 1024); err != nil {
		t.Fatal(err)
	}
	_, err = b.Alloc("kcache.0", tensor.F32, 1024, 64)
	if err == nil || err.Error() != `cpu: alloc "kcache.0" [1024 64]: 0.2 MiB more would make 1.2 MiB of tensors, more than the 1.0 MiB limit` {
		t.Fatalf("past the limit: %v", err)
	}
	if _, err := b.Upload("q", tensor.Q8, 4, 32, make([]byte, tensor.ByteSize(tensor.Q8, 4, 32))); err == nil {
		t.Fatal("an upload past the limit passed")
	}
	b.Free(w)
	if _, err := b.Alloc("kcache.0", tensor.F32, 1024, 64); err != nil {
		t.Fatalf("after Free: %v", err)
	}
}

// TestMemoryLimitDefault: the default bound refuses what no machine holds.
func TestMemoryLimitDefault(t *testing.T) {
	b := New(WithWorkers(1))
	defer b.Close()
	if bounded := runtime.GOOS == "linux" || runtime.GOARCH == "wasm"; bounded != (b.mem.limit > 0) {
		t.Fatalf("limit %d on %s/%s", b.mem.limit, runtime.GOOS, runtime.GOARCH)
	} else if !bounded {
		return
	}
	_, err := b.Alloc("kcache", tensor.F32, 1<<30, 1<<12) // 16 TiB
	if err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("a 16 TiB tensor: %v", err)
	}
}

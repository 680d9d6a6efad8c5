package host

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// The stand-in kernels of testdata/kernels.wat, in job id order.
var testNames = []string{"add", "trap", "count", "meet", "nop"}

const (
	kAdd = iota
	kTrap
	kCount
	kMeet
	kNop
)

func testKernels(t testing.TB) *KernelModule {
	t.Helper()
	wasm, err := os.ReadFile("testdata/kernels.wasm")
	if err != nil {
		t.Fatal(err)
	}
	return &KernelModule{Wasm: wasm, Names: testNames}
}

// newTestHost makes a host with the stand-in kernels and the device memory
// grown to 1 MiB.
func newTestHost(t testing.TB, o Options) *Host {
	t.Helper()
	if o.Kernels == nil {
		o.Kernels = testKernels(t)
	}
	h, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	if h.grow(1<<20) != 0 {
		t.Fatal("cannot grow the device memory to 1 MiB")
	}
	return h
}

// jobs encodes jobs of up to 15 arguments each.
func jobs(list ...[]int32) []byte {
	out := make([]byte, jobBytes*len(list))
	for i, j := range list {
		for w, v := range j {
			binary.LittleEndian.PutUint32(out[i*jobBytes+4*w:], uint32(v))
		}
	}
	return out
}

func (h *Host) putF32(addr uint32, vals []float32) {
	for i, v := range vals {
		h.device.WriteFloat32Le(addr+uint32(4*i), v)
	}
}

func (h *Host) getU32(addr uint32, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i], _ = h.device.ReadUint32Le(addr + uint32(4*i))
	}
	return out
}

// TestRunSplitsWork: an add split into ranges over three workers computes
// every element.
func TestRunSplitsWork(t *testing.T) {
	h := newTestHost(t, Options{Workers: 3})
	const n = 1000
	a, b := make([]float32, n), make([]float32, n)
	for i := range a {
		a[i], b[i] = float32(i), float32(3*i)+0.5
	}
	h.putF32(4096, a)
	h.putF32(8192, b)
	var list [][]int32
	for i0 := int32(0); i0 < n; i0 += 97 {
		list = append(list, []int32{kAdd, 16384, 4096, 8192, i0, min(i0+97, n)})
	}
	if code := h.pool.run(jobs(list...), len(list)); code != 0 {
		t.Fatalf("run = %d", code)
	}
	for i, bits := range h.getU32(16384, n) {
		if got, want := math.Float32frombits(bits), a[i]+b[i]; got != want {
			t.Fatalf("element %d = %v, want %v", i, got, want)
		}
	}
}

// TestEveryJobRunsOnce: many jobs over two workers each run exactly once.
func TestEveryJobRunsOnce(t *testing.T) {
	h := newTestHost(t, Options{Workers: 2})
	const n = 5000
	list := make([][]int32, n)
	for i := range list {
		list[i] = []int32{kCount, 1024, int32(i)}
	}
	for round := 1; round <= 3; round++ {
		if code := h.pool.run(jobs(list...), n); code != 0 {
			t.Fatalf("run = %d", code)
		}
		for i, c := range h.getU32(1024, n) {
			if c != uint32(round) {
				t.Fatalf("round %d: job %d ran %d times in all", round, i, c)
			}
		}
	}
}

// TestWorkersRunAtOnce: two jobs that can only finish together do with two
// workers, and the one that waits times out with one. The wait is a spin in
// compiled wasm, which the Go scheduler cannot preempt; now and then (about
// one run in twenty on a busy 2-core machine) the second worker is not
// scheduled before the spin gives up, so two workers get three tries.
func TestWorkersRunAtOnce(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a collection would wait for the spin
	for _, workers := range []int{1, 2} {
		h := newTestHost(t, Options{Workers: workers})
		spins, tries := int32(1<<28), 3
		if workers == 1 {
			spins, tries = 1000, 1
		}
		met := uint32(0)
		for try := 0; try < tries && met == 0; try++ {
			h.putF32(256, []float32{0, 0}) // clear the flag and the result
			list := jobs([]int32{kMeet, 256, 260, 0, spins}, []int32{kMeet, 256, 260, 1, 0})
			if code := h.pool.run(list, 2); code != 0 {
				t.Fatalf("run = %d", code)
			}
			met = h.getU32(260, 1)[0]
		}
		if met != uint32(workers-1) {
			t.Errorf("%d workers: the jobs met = %d", workers, met)
		}
	}
}

// TestFailedJobs: a trap or an unknown kernel id gives 1 + the job's index,
// is described once on stderr, and leaves the instances usable.
func TestFailedJobs(t *testing.T) {
	var stderr bytes.Buffer
	h := newTestHost(t, Options{Workers: 2, Stderr: &stderr})
	list := jobs([]int32{kNop}, []int32{kNop}, []int32{kTrap}, []int32{kNop})
	if code := h.pool.run(list, 4); code != 3 {
		t.Errorf("trap in job 2: run = %d, want 3", code)
	}
	if !strings.Contains(stderr.String(), "job 2: kernel trap") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr: %q", stderr.String())
	}
	if code := h.pool.run(jobs([]int32{kNop}, []int32{99}), 2); code != 2 {
		t.Errorf("unknown kernel in job 1: run = %d, want 2", code)
	}
	h.putF32(256, []float32{1, 2})
	if code := h.pool.run(jobs([]int32{kAdd, 512, 256, 256, 0, 2}), 1); code != 0 {
		t.Fatalf("after failures: run = %d", code)
	}
	if got := h.getU32(512, 2); math.Float32frombits(got[1]) != 4 {
		t.Errorf("after failures: 2+2 = %v", math.Float32frombits(got[1]))
	}
	if code := h.pool.run(jobs([]int32{kAdd, 1 << 30, 256, 256, 0, 2}), 1); code != 1 {
		t.Errorf("out-of-bounds store: run = %d, want 1", code)
	}
}

// TestGrow: the device memory grows to 4 GiB and no further.
func TestGrow(t *testing.T) {
	h := newTestHost(t, Options{Workers: 1})
	for _, c := range []struct {
		bytes int64
		code  uint64
		size  uint64
	}{
		{1000, 0, 1 << 20}, // already large enough
		{3<<20 + 1, 0, 3<<20 + pageBytes},
		{-1, 1, 3<<20 + pageBytes},
		{4<<30 + 1, 1, 3<<20 + pageBytes},
		{4 << 30, 0, 4 << 30},
	} {
		if code := h.grow(c.bytes); code != c.code || h.deviceBytes() != c.size {
			t.Errorf("grow(%d) = %d with %d bytes, want %d with %d", c.bytes, code, h.deviceBytes(), c.code, c.size)
		}
	}
}

// TestBadKernelModules: a missing, corrupt or incomplete kernel module is
// an error from New.
func TestBadKernelModules(t *testing.T) {
	wasm := testKernels(t).Wasm
	for _, c := range []struct {
		name string
		km   *KernelModule
		want string
	}{
		{"empty", &KernelModule{Names: testNames}, "kernel module is empty"},
		{"corrupt", &KernelModule{Wasm: wasm[:len(wasm)/2], Names: testNames}, "kernel module"},
		{"missing export", &KernelModule{Wasm: wasm, Names: append(testNames, "matmul")}, `no export "matmul" (kernel 5)`},
	} {
		h, err := New(context.Background(), Options{Workers: 2, Kernels: c.km})
		if err == nil {
			h.Close(context.Background())
			t.Errorf("%s: New succeeded", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// TestTooManyWorkers: a worker count past the thread limit is refused
// before any kernel instance is made.
func TestTooManyWorkers(t *testing.T) {
	h, err := New(context.Background(), Options{Workers: 100000, Kernels: testKernels(t)})
	if err == nil {
		h.Close(context.Background())
		t.Fatal("New made 100000 workers")
	}
	if want := "host: thread count 100000 is larger than 1024, the most this engine supports"; err.Error() != want {
		t.Fatalf("%v, want %q", err, want)
	}
}

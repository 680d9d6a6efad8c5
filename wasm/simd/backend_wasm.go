package simd

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// ErrClosed is returned by Upload, Alloc, Read and Argmax after Close.
var ErrClosed = errors.New("simd: backend is closed")

// jobWords is the size of one job: the kernel id and 15 arguments.
const jobWords = 16

// Backend is the device backend. It is not safe for concurrent use; the
// backends of one process share the device memory, each with its own
// tensors.
type Backend struct {
	workers int
	live    map[*buffer]struct{}
	closed  bool
	err     error // the first failed run; later ops are skipped

	jobs    []int32 // the run being built, jobWords per job
	njobs   int
	ids     scratch // Embed's ids
	shifted []int32 // Embed's ids moved to a view's first row
	scores  scratch // Attention's per-job scores
	quant   scratch // a quantized view copied whole
	xq      scratch // MatMul's rows of x quantized, per job (Q8, Q4)
	argmax  scratch // Argmax's result
	f16     scratch // copy_f16's flag, then a constant 1 (f16Flag)
	result  int32   // Argmax's and Kernels' result, read back
	kernels string  // Kernels' answer, once asked
}

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Add3er  = (*Backend)(nil)
)

// New makes a Backend on the host's device memory, splitting ops over the
// host's workers.
func New() *Backend {
	b := &Backend{workers: max(int(deviceWorkers()), 1), live: map[*buffer]struct{}{}}
	b.jobs = make([]int32, jobWords*max(b.workers, 4))
	return b
}

// Name returns "simd".
func (b *Backend) Name() string { return "simd" }

// WeightTypes returns F32, F16, Q8 and Q4 (BF16 weights are widened by the
// model loader).
func (b *Backend) WeightTypes() []tensor.DType {
	return []tensor.DType{tensor.F32, tensor.F16, tensor.Q8, tensor.Q4}
}

// Workers is the number of threads that run jobs.
func (b *Backend) Workers() int { return b.workers }

// Close frees every tensor made by b; using them afterwards panics. The
// device memory stays with the process for the next backend. Close is
// idempotent.
func (b *Backend) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	for buf := range b.live {
		buf.released = true
		device.release(buf.addr, buf.size)
	}
	clear(b.live)
	for _, s := range []*scratch{&b.ids, &b.scores, &b.quant, &b.xq, &b.argmax, &b.f16} {
		if s.size > 0 {
			device.release(s.addr, s.size)
		}
		*s = scratch{}
	}
	return nil
}

// job appends one job to the run being built.
func (b *Backend) job(kernel int32, args ...int32) {
	w := b.jobs[b.njobs*jobWords : (b.njobs+1)*jobWords]
	w[0] = kernel
	copy(w[1:], args)
	clear(w[1+len(args):])
	b.njobs++
}

// submit runs the jobs built so far and waits for them. A failure is kept
// for the next Read or Argmax; once one happened, nothing more runs.
func (b *Backend) submit(op string) {
	n := b.njobs
	b.njobs = 0
	if n == 0 || b.err != nil {
		return
	}
	if r := deviceRun(unsafe.Pointer(&b.jobs[0]), int32(n)); r != 0 {
		id := b.jobs[(r-1)*jobWords]
		b.err = fmt.Errorf("simd: %s: kernel %s failed in job %d of %d", op, kernelName(id), r-1, n)
	}
}

// Work below these sizes is not worth another thread.
const (
	minElements = 1 << 14 // elementwise ops, Embed and Copy (values)
	minRowWork  = 1 << 14 // LayerNorm and Rope: rows × columns
)

// parts is how many jobs share work units of the given cost: one per
// worker at most, each worth at least minCost, never more than units.
func (b *Backend) parts(units, costPerUnit, minCost int) int {
	total := units * costPerUnit
	return max(1, min(b.workers, units, total/max(minCost, 1)))
}

// split cuts [0, units) into parts ranges whose bounds are multiples of
// step (but the last), calling f for each non-empty one.
func split(units, parts, step int, f func(lo, hi int)) {
	per := (units + parts - 1) / parts
	per = (per + step - 1) / step * step
	for lo := 0; lo < units; lo += per {
		f(lo, min(lo+per, units))
	}
}

// f16Flag returns the address of copy_f16's flag, set once an F16 result
// was Inf or NaN (cleared when first made), or with exact, of a word
// holding 1: attention_f16 widens a cache exactly while the word it gets
// is not 0.
func (b *Backend) f16Flag(op string, exact bool) (int32, bool) {
	fresh := b.f16.size == 0
	at, ok := b.reserve(&b.f16, op, 8)
	if !ok {
		return 0, false
	}
	if fresh {
		write(uint64(at), []byte{0, 0, 0, 0, 1, 0, 0, 0})
	}
	if exact {
		at += 4
	}
	return int32(at), true
}

// scratch is device memory an op reuses from call to call.
type scratch struct{ addr, size uint64 }

// reserve returns s with at least n bytes, or false (with b.err set) when the
// device memory is full.
func (b *Backend) reserve(s *scratch, op string, n uint64) (uint32, bool) {
	if n <= s.size {
		return uint32(s.addr), true
	}
	if s.size > 0 {
		device.release(s.addr, s.size)
		*s = scratch{}
	}
	n = max(n, 4096)
	addr, _, err := device.alloc(n)
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("simd: %s: scratch: %w", op, err)
		}
		return 0, false
	}
	*s = scratch{addr, n}
	return uint32(addr), true
}

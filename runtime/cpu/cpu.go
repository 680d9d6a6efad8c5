// Package cpu is the pure-Go reference implementation of backend.Backend.
//
// Every op runs at once on the calling goroutine, helped by a fixed set of
// worker goroutines for MatMul and Attention, so Read and Argmax only copy
// or scan. Arithmetic is float32 throughout; see the op doc comments for the
// exact summation orders.
//
// Weight matrices keep the dtype they were uploaded in (F32, F16, BF16, or
// the Q8 and Q4 block layout of docs/format.md) and are widened a tile or a
// block at a time inside MatMul and Embed, so a model's weights take no
// more memory here than in its checkpoint. Tensors are counted against a
// memory limit (WithMemoryLimit; by default the machine's memory and swap
// on Linux, 3 GiB on wasm), so a cache too large for the machine is an
// error, not a crash of the runtime.
//
// # Notes
//
// A row of a MatMul result does not depend on how many rows x has, nor on
// the number of workers, and an Attention output row does not depend on how
// the queries were chunked: prefill and token-by-token decoding give the
// same bits.
package cpu

import (
	"errors"
	"runtime"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// ErrClosed is returned by Upload, Alloc, Read and Argmax after Close.
var ErrClosed = errors.New("cpu: backend is closed")

// Option configures New.
type Option func(*Backend)

// WithWorkers sets how many goroutines share MatMul and Attention. Values
// below 1 mean 1. The default is runtime.GOMAXPROCS(0), which is 1 on wasm.
func WithWorkers(n int) Option {
	return func(b *Backend) { b.pool.n = max(n, 1) }
}

// Backend is the pure-Go backend. It is not safe for concurrent use.
type Backend struct {
	pool   pool
	live   map[*buffer]struct{}
	mem    memory
	closed bool

	// Per-op state reused across calls, so steady-state ops do not allocate.
	mm  matmulJob
	qmm qmatmulJob
	att attentionJob
}

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Add3er  = (*Backend)(nil)
)

// New makes a Backend and starts its worker goroutines (none with one
// worker); Close stops them.
func New(opts ...Option) *Backend {
	b := &Backend{live: map[*buffer]struct{}{}, mem: memory{limit: memoryLimit(), what: limitSource}}
	b.pool.n = runtime.GOMAXPROCS(0)
	for _, o := range opts {
		o(b)
	}
	b.pool.start()
	b.mm.scratch = make([][]float32, b.pool.n)
	b.qmm.scratch = make([]qScratch, b.pool.n)
	b.att.scores = make([][]float32, b.pool.n)
	b.att.wide = make([][]float32, b.pool.n)
	return b
}

// Name returns "cpu".
func (b *Backend) Name() string { return "cpu" }

// WeightTypes returns F32, F16, BF16, Q8 and Q4.
func (b *Backend) WeightTypes() []tensor.DType {
	return []tensor.DType{tensor.F32, tensor.F16, tensor.BF16, tensor.Q8, tensor.Q4}
}

// Workers is the number of goroutines that share the large ops.
func (b *Backend) Workers() int { return b.pool.n }

// Close stops the workers and drops the memory of every tensor made by b.
// Using those tensors afterwards panics. Close is idempotent.
func (b *Backend) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	b.pool.stop()
	for buf := range b.live {
		buf.release()
	}
	clear(b.live)
	b.mem.used = 0
	b.mm = matmulJob{}
	b.qmm = qmatmulJob{}
	b.att = attentionJob{}
	return nil
}

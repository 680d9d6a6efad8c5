package webgpu

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// Options configures New. The zero value suits the model.
type Options struct {
	// PowerPreference is passed to requestAdapter ("high-performance",
	// "low-power" or "").
	PowerPreference string
	// RequireLimits raises the minimum limits an adapter must offer.
	RequireLimits map[string]float64
	// HardwareOnly refuses a software adapter (ErrUnavailable), before
	// any device is made.
	HardwareOnly bool
	// Profile times every dispatch on the GPU where the device has
	// timestamp queries and the driver can write them (native): see
	// Backend.Profile.
	Profile bool
	// MaxPieceBytes, when positive, splits weights into pieces of at most
	// this many bytes even where one binding could hold them.
	MaxPieceBytes int
	// SkipSelfTest skips the start-up check against the reference.
	SkipSelfTest bool
	// Fault injects a failure, so that callers can test their fallback:
	// "limits" asks for more than any adapter has; "selftest" corrupts a
	// self-test result; "lose" destroys the device at the first submission
	// after start-up, "lose:N" at the Nth.
	Fault string

	splitK       bool // tests: never the one-thread-per-row matmul
	attnSplitMin int  // tests: split decode attention above this many keys, in ≥ 2 spans
}

// Backend runs the ops on a WebGPU device.
type Backend struct {
	d       driver
	info    AdapterInfo
	opts    Options
	kern    *kernels
	rec     *recorder
	pool    map[int][]*buffer
	all     map[int]*buffer
	nextID  int
	dummies [5]*buffer // placeholders, per binding, where an operand is absent or aliased
	result  *buffer    // Argmax's output
	part    *buffer    // split attention's partial results
	err     error      // the first failure while recording
	closed  bool
}

var _ backend.Backend = (*Backend)(nil)
var _ backend.Add3er = (*Backend)(nil)

// ErrClosed is returned by reads after Close.
var ErrClosed = errors.New("webgpu: backend is closed")

// New opens a WebGPU device, compiles the kernels and checks them against
// the pure-Go reference. Its error says why the GPU cannot be used.
func New(o Options) (*Backend, error) {
	if o.Fault == "limits" {
		o.RequireLimits = map[string]float64{"maxStorageBufferBindingSize": 1 << 50}
	}
	d, err := openDriver(o)
	if err != nil {
		return nil, err
	}
	b := &Backend{d: d, info: d.adapter(), opts: o, pool: map[int][]*buffer{}, all: map[int]*buffer{}}
	b.rec = newRecorder(b)
	if o.Profile && slices.Contains(b.info.Features, "timestamp-query") && d.canStamp() {
		b.rec.prof = &profile{total: map[string]time.Duration{}, count: map[string]int{}}
	}
	if b.kern, err = compileKernels(d); err != nil {
		b.Close()
		return nil, err
	}
	for i := range b.dummies {
		if b.dummies[i], err = b.newBuffer(fmt.Sprintf("placeholder %d", i), 16, false); err != nil {
			b.Close()
			return nil, err
		}
	}
	if !o.SkipSelfTest {
		if err := selfTest(b); err != nil {
			b.Close()
			return nil, fmt.Errorf("webgpu: self-test on %s failed: %w", b.info, err)
		}
	}
	if rest, ok := strings.CutPrefix(o.Fault, "lose"); ok {
		n, err := strconv.Atoi(strings.TrimPrefix(rest, ":"))
		if rest == "" {
			n, err = 1, nil
		}
		if err != nil || n < 1 {
			b.Close()
			return nil, fmt.Errorf("webgpu: fault %q: want lose or lose:N with N ≥ 1", o.Fault)
		}
		b.rec.loseAt = b.rec.submitted + n
	}
	return b, nil
}

// Adapter describes the GPU in use.
func (b *Backend) Adapter() AdapterInfo { return b.info }

func (b *Backend) Name() string { return "webgpu" }

func (b *Backend) WeightTypes() []tensor.DType {
	return []tensor.DType{tensor.F32, tensor.F16, tensor.Q8, tensor.Q4}
}

// pieceBytes is the most bytes one piece of a weight may take.
func (b *Backend) pieceBytes() int {
	n := int(min(b.d.limit("maxStorageBufferBindingSize"), b.d.limit("maxBufferSize"))) - 256
	if b.opts.MaxPieceBytes > 0 {
		n = min(n, b.opts.MaxPieceBytes)
	}
	return n &^ 255
}

func (b *Backend) Alloc(label string, dt tensor.DType, rows, cols int) (backend.Tensor, error) {
	if b.closed {
		return nil, ErrClosed
	}
	if dt != tensor.F32 && dt != tensor.F16 {
		return nil, fmt.Errorf("webgpu: Alloc %s: dtype %v, want F32 or F16", label, dt)
	}
	size := int(tensor.ByteSize(dt, rows, cols))
	if float64(size) > b.d.limit("maxStorageBufferBindingSize") {
		return nil, fmt.Errorf("webgpu: Alloc %s: %d bytes exceed this device's storage binding limit (%.0f)", label, size, b.d.limit("maxStorageBufferBindingSize"))
	}
	buf, err := b.newBuffer(label, size, false)
	if err != nil {
		return nil, err
	}
	return &gpuTensor{owner: b, label: label, dt: dt, rows: rows, cols: cols, pieces: []piece{{buf: buf, rows: rows, total: rows}}}, nil
}

func (b *Backend) View(t backend.Tensor, row0, rows int) backend.Tensor {
	g := b.getPieces("View", t)
	backend.CheckView(t, row0, rows)
	if g.kv != nil {
		panic(fmt.Sprintf("webgpu: View: %q is a KVQ8 cache, which has no views", g.label))
	}
	if !g.dt.Quantized() && !g.view {
		b.join(g) // views of an F32 or F16 matrix share its one buffer
	}
	if g.dt.Quantized() || len(g.pieces) > 1 {
		v := *g
		v.view, v.rows, v.pieces = true, rows, nil
		for _, p := range g.pieces {
			lo, hi := max(row0, p.row0), min(row0+rows, p.row0+p.rows)
			if lo >= hi {
				continue
			}
			skip := p.skip + lo - p.row0
			if g.dt.Quantized() && skip%4 != 0 {
				panic(fmt.Sprintf("webgpu: View: %v tensor %q can be viewed from multiples of 4 rows, not %d", g.dt, g.label, row0))
			}
			v.pieces = append(v.pieces, piece{buf: p.buf, row0: lo - row0, rows: hi - lo, skip: skip, total: p.total})
		}
		return &v
	}
	v := *g
	v.view, v.off, v.rows = true, g.off+row0*g.cols, rows
	v.pieces = []piece{{buf: g.buf(), rows: rows, total: g.pieces[0].total}}
	return &v
}

func (b *Backend) Free(t backend.Tensor) {
	g := b.getPieces("Free", t)
	if g.view {
		panic(fmt.Sprintf("webgpu: Free: %q is a view", g.label))
	}
	b.freePieces(g)
	g.freed = true
}

func (b *Backend) freePieces(g *gpuTensor) {
	if b.closed { // Close destroyed every buffer
		g.pieces = nil
		return
	}
	for _, p := range g.pieces {
		b.release(p.buf)
	}
	g.pieces = nil
}

// Close destroys every buffer and the device.
func (b *Backend) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	for _, buf := range b.all {
		b.d.destroyBuffer(buf.gpu)
	}
	b.all, b.pool = nil, nil
	b.d.destroy()
	return nil
}

// Stats counts the work recorded since New.
type Stats struct {
	Dispatches  int // compute dispatches
	Submissions int // queue submissions
}

// Stats returns the counts so far; their differences across a decode step
// are its dispatches and submissions.
func (b *Backend) Stats() Stats {
	return Stats{Dispatches: b.rec.dispatches, Submissions: b.rec.submitted}
}

// Device names the adapter (for reports).
func (b *Backend) Device() string { return b.info.String() }

// Dispatches is the number of compute dispatches recorded since New.
func (b *Backend) Dispatches() int { return b.rec.dispatches }

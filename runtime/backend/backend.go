// Package backend defines the small, closed set of operations the Phi-2 graph
// needs, so that the same model code runs on the pure-Go reference, on wasm
// SIMD kernels and on WebGPU.
//
// Tensors live on the device. Operations are enqueued: a backend may run
// them at once (the CPU ones) or record them and submit a whole token at
// once (WebGPU). Results reach the host only through Read or Argmax, which
// wait for everything enqueued before them.
//
// Every tensor is a row-major matrix [rows, cols]; a vector is one row.
// Activations, norms and biases are F32. The KV caches are F32 or F16 (half
// the memory and bandwidth), or KVQ8 on backends that implement
// KVAllocator. Weight matrices (the operand w of MatMul and
// the table of Embed) may have any dtype the backend lists in WeightTypes.
//
// Shape mismatches are programming errors and panic (see the Check
// functions, which hold the preconditions every backend shares). Device
// failures are reported by the next Read or Argmax.
package backend

import "github.com/phi2web/phi2web/runtime/tensor"

// Tensor is a handle to device memory owned by one Backend.
type Tensor interface {
	Rows() int
	Cols() int
	DType() tensor.DType
	// Label is the name given to Upload or Alloc; views keep it. Panic
	// messages name tensors by it.
	Label() string
}

// Backend runs the ops of the model. Implementations need not be safe for
// concurrent use.
type Backend interface {
	// Name is a short identifier: "cpu", "simd", "webgpu".
	Name() string
	// WeightTypes lists the dtypes accepted for weight matrices.
	WeightTypes() []tensor.DType

	// Upload copies host data (rows·cols little-endian elements of dt) into
	// a new tensor. The label names it in errors and debuggers.
	Upload(label string, dt tensor.DType, rows, cols int, data []byte) (Tensor, error)
	// Alloc makes a zeroed tensor of dt, which is F32 or F16.
	Alloc(label string, dt tensor.DType, rows, cols int) (Tensor, error)
	// View is rows [row0, row0+rows) of t, sharing its memory.
	View(t Tensor, row0, rows int) Tensor
	// Free releases t's memory. Views must not be freed.
	Free(t Tensor)

	// Embed sets dst row i to row ids[i] of table. ids must be in range;
	// the ids slice is not retained.
	Embed(dst, table Tensor, ids []int32)
	// LayerNorm normalizes each row of x over its columns (biased variance)
	// and writes (x−μ)/sqrt(σ²+eps)·gamma + beta to dst.
	LayerNorm(dst, x, gamma, beta Tensor, eps float32)
	// MatMul computes dst = x·wᵀ + bias: x [n, k], w [m, k], bias [1, m]
	// or nil, dst [n, m]. Accumulation is in float32 (or wider).
	MatMul(dst, x, w, bias Tensor)
	// GeluNew applies 0.5·x·(1+tanh(√(2/π)·(x+0.044715·x³))) elementwise.
	// dst may be x.
	GeluNew(dst, x Tensor)
	// Add computes dst = a + b elementwise. dst may alias a or b.
	Add(dst, a, b Tensor)
	// Copy copies rows [srcRow, srcRow+n) of src to dst starting at dstRow.
	// Both are F32 or both F16, or src is F32 and dst F16: then each value
	// is rounded to the nearest F16, ties to even (as tensor.F32ToF16). A
	// KVQ8 dst (F32 src) is quantized as KVAllocator says.
	Copy(dst Tensor, dstRow int, src Tensor, srcRow, n int)
	// Rope rotates, in place, the first rotDim values of every head of x
	// (rows are tokens at positions pos0, pos0+1, …; each row holds heads of
	// headDim values). Dimension i is paired with i+rotDim/2 ("rotate
	// half"). Row p of table holds cos θ for the rotDim/2 frequencies
	// followed by sin θ.
	Rope(x, table Tensor, pos0, headDim, rotDim int)
	// Attention computes causal multi-head attention for the rows of q,
	// tokens at positions pos0, pos0+1, …: query t attends to rows
	// 0..pos0+t of the caches k and v (row = position, heads side by side
	// as in q), with scores q·k·scale and a float32 softmax. dst has q's
	// shape. The caches are both F32 or both F16; F16 values are widened
	// exactly. Both KVQ8 on a KVAllocator (see there).
	Attention(dst, q, k, v Tensor, pos0, headDim int, scale float32)

	// Read waits for the queued work and copies t (F32) into dst, which
	// must hold Rows·Cols values.
	Read(t Tensor, dst []float32) error
	// Argmax waits for the queued work and returns the column of the
	// largest value of row `row` of t, the lowest index on ties.
	Argmax(t Tensor, row int) (int, error)
	// Close releases the backend and every tensor it made.
	Close() error
}

// KVAllocator is implemented by backends that keep a KV cache in 8 bits.
// AllocKV makes a zeroed cache of positions rows, each of heads·headDim
// values side by side as in q, of dtype F32, F16 (the same as Alloc) or
// tensor.KVQ8 (layout in runtime/tensor/kvq8.go). Copy from an F32 tensor
// into a KVQ8 cache quantizes each head of each row with
// tensor.QuantizeKVQ8; Attention over KVQ8 caches (k and v both) computes
// what it computes over F32 caches holding the dequantized values
// (tensor.DequantizeKVQ8), within the tolerance its backend states. Views
// of a KVQ8 cache are not supported.
type KVAllocator interface {
	AllocKV(label string, dt tensor.DType, positions, heads, headDim int) (Tensor, error)
}

// PartUploader is a Backend that takes a tensor's bytes in parts, so that
// a loader need not assemble a tensor that spans two of its reads in a
// buffer of its own (a page's memory never shrinks). Reserve makes a
// tensor as Upload would, its bytes undefined until UploadPart has written
// each of them; UploadPart copies data to byte offset off of what Upload
// would have been given. An UploadPart past the tensor's end, or into a
// view, a freed tensor or another backend's, is an error. Each byte comes
// in one part, and all before the tensor's first use: a backend may refuse
// a part after (WebGPU keeps a reserved buffer mapped only until then).
type PartUploader interface {
	Reserve(label string, dt tensor.DType, rows, cols int) (Tensor, error)
	UploadPart(t Tensor, off int64, data []byte) error
}

// Add3er is an optional fused op: Add3(dst, a, b, c) computes
// dst[i] = (a[i] + b[i]) + c[i] in float32, bit for bit equal to Add(t, a, b)
// followed by Add(dst, t, c) for a separate t. dst may alias any operand.
type Add3er interface {
	Add3(dst, a, b, c Tensor)
}

//go:build js && wasm

package webgpu

import (
	"fmt"
	"unsafe"

	"github.com/hack-pad/safejs"
)

const (
	slotBytes = 256 // uniform offsets are aligned to 256 bytes
	slotWords = 16  // parameters a kernel may take
	slotCap   = 2048
)

// matmulRecord is the latest MatMul, while it is the latest dispatch of
// the open recording: a GeluNew on its output is folded into it.
type matmulRecord struct {
	at    int // r.dispatches after it; 0 = none
	slots []int
	dst   region
}

// region identifies the values an op wrote.
type region struct {
	buf       *buffer
	off, size int
}

// groupKey names a cached bind group.
type groupKey struct {
	k    *kernel
	slot int
	bufs [5]int
}

// recorder collects the dispatches of one submission.
type recorder struct {
	b          *Backend
	enc, pass  safejs.Value
	open       bool // enc is recording
	inPass     bool
	params     []uint32
	slots      int
	paramsBuf  *buffer
	aux        []uint32 // token ids for Embed
	auxBuf     *buffer
	groups     map[groupKey]safejs.Value
	staging    *buffer // MAP_READ target of reads
	jsBytes    safejs.Value
	submitted  int
	loseAt     int // the submission that destroys the device (Options.Fault)
	dispatches int // recorded since start-up
	lastMatMul matmulRecord
	scopes     []safejs.Value // popErrorScope promises not yet awaited
}

// checkScopes waits for the error scopes of past submissions and keeps the
// first error they caught.
func (r *recorder) checkScopes() {
	for _, p := range r.scopes {
		v, err := await(p)
		switch {
		case err != nil:
			r.fail(fmt.Errorf("webgpu: %w", err))
		case !v.IsNull() && !v.IsUndefined():
			r.fail(fmt.Errorf("webgpu: GPU error: %s", str(get(v, "message"))))
		}
	}
	r.scopes = r.scopes[:0]
}

func newRecorder(b *Backend) *recorder {
	return &recorder{b: b, params: make([]uint32, slotCap*slotWords), groups: map[groupKey]safejs.Value{}}
}

// fail keeps the first recording error; later ops are skipped and the next
// read reports it.
func (r *recorder) fail(err error) {
	if r.b.err == nil {
		r.b.err = err
	}
}

// ensureEncoder starts a command encoder if none is recording.
func (r *recorder) ensureEncoder() bool {
	if r.b.err != nil {
		return false
	}
	if r.open {
		return true
	}
	enc, err := call(r.b.g.device, "createCommandEncoder", map[string]any{"label": "phi2 step"})
	if err != nil {
		r.fail(fmt.Errorf("webgpu: %w", err))
		return false
	}
	r.enc, r.open = enc, true
	call(r.b.g.device, "pushErrorScope", "validation")
	call(r.b.g.device, "pushErrorScope", "out-of-memory")
	return true
}

func (r *recorder) endPass() {
	if r.inPass {
		call(r.pass, "end")
		r.inPass = false
	}
}

// special makes a buffer of its own usage (uniform, map-read).
func (r *recorder) special(label string, size, usage int) (*buffer, error) {
	v, err := call(r.b.g.device, "createBuffer", map[string]any{"label": label, "size": size, "usage": usage})
	if err != nil {
		return nil, fmt.Errorf("webgpu: %s: %w", label, err)
	}
	r.b.nextID++
	buf := &buffer{gpu: v, id: r.b.nextID, size: size, label: label}
	r.b.all[buf.id] = buf
	return buf, nil
}

// dispatch records kernel k over a grid of x·y workgroups with the given
// parameters and storage buffers (in k.bindings order).
func (r *recorder) dispatch(k *kernel, params []uint32, bufs []*buffer, x, y int) {
	if r.slots == slotCap {
		r.submit()
	}
	if !r.ensureEncoder() {
		return
	}
	if r.paramsBuf == nil {
		buf, err := r.special("parameters", slotCap*slotBytes, usageUniform|usageCopyDst)
		if err != nil {
			r.fail(err)
			return
		}
		r.paramsBuf = buf
	}
	slot := r.slots
	r.slots++
	r.dispatches++
	copy(r.params[slot*slotWords:(slot+1)*slotWords], params)
	bg, err := r.group(k, slot, bufs)
	if err != nil {
		r.fail(err)
		return
	}
	if !r.inPass {
		pass, err := call(r.enc, "beginComputePass")
		if err != nil {
			r.fail(fmt.Errorf("webgpu: %w", err))
			return
		}
		r.pass, r.inPass = pass, true
	}
	if _, err := call(r.pass, "setPipeline", k.pipe); err != nil {
		r.fail(fmt.Errorf("webgpu: %s: %w", k.name, err))
	}
	call(r.pass, "setBindGroup", 0, bg)
	call(r.pass, "dispatchWorkgroups", x, y)
}

// group is the bind group of k at a parameter slot over bufs, made once.
func (r *recorder) group(k *kernel, slot int, bufs []*buffer) (safejs.Value, error) {
	key := groupKey{k: k, slot: slot}
	key.bufs[0] = r.paramsBuf.id
	for i, b := range bufs {
		key.bufs[i+1] = b.id
	}
	if g, ok := r.groups[key]; ok {
		return g, nil
	}
	entries := []any{map[string]any{"binding": 0, "resource": map[string]any{
		"buffer": r.paramsBuf.gpu, "offset": slot * slotBytes, "size": slotWords * 4}}}
	for i, b := range bufs {
		entries = append(entries, map[string]any{"binding": k.bindings[i], "resource": map[string]any{"buffer": b.gpu}})
	}
	g, err := call(r.b.g.device, "createBindGroup", map[string]any{"label": k.name, "layout": k.layout, "entries": entries})
	if err != nil {
		return g, fmt.Errorf("webgpu: bind group for %s: %w", k.name, err)
	}
	if len(r.groups) > 1<<14 {
		clear(r.groups)
	}
	r.groups[key] = g
	return g, nil
}

// ids stores token ids for the next submission and returns their offset in
// the aux buffer.
func (r *recorder) ids(ids []int32) (*buffer, int) {
	need := len(r.aux) + len(ids)
	if r.auxBuf == nil || need*4 > r.auxBuf.size {
		if len(r.aux) > 0 {
			r.submit()
		}
		size := max(4096, len(ids)*4*2)
		buf, err := r.special("token ids", (size+15)&^15, usageStorage|usageCopyDst)
		if err != nil {
			r.fail(err)
			return r.b.dummies[2], 0
		}
		if r.auxBuf != nil {
			call(r.auxBuf.gpu, "destroy")
			delete(r.b.all, r.auxBuf.id)
		}
		r.auxBuf = buf
	}
	off := len(r.aux)
	for _, id := range ids {
		r.aux = append(r.aux, uint32(id))
	}
	return r.auxBuf, off
}

// clear zeroes a reused buffer in the command stream.
func (r *recorder) clear(buf *buffer) {
	if !r.ensureEncoder() {
		return
	}
	r.endPass()
	call(r.enc, "clearBuffer", buf.gpu)
}

// copyOut records a copy of n bytes at off of src into the staging buffer.
func (r *recorder) copyOut(src *buffer, off, n int) {
	if !r.ensureEncoder() {
		return
	}
	if r.staging == nil || r.staging.size < n {
		if r.staging != nil {
			call(r.staging.gpu, "destroy")
			delete(r.b.all, r.staging.id)
		}
		buf, err := r.special("readback", max(256, (n+255)&^255), usageMapRead|usageCopyDst)
		if err != nil {
			r.fail(err)
			return
		}
		r.staging = buf
	}
	r.endPass()
	call(r.enc, "copyBufferToBuffer", src.gpu, off, r.staging.gpu, 0, n)
}

// submit writes the parameters and ids and submits the recording.
func (r *recorder) submit() {
	if !r.open {
		return
	}
	r.endPass()
	q := r.b.g.queue
	if len(r.aux) > 0 {
		r.write(r.auxBuf, r.aux)
	}
	if r.slots > 0 {
		r.write(r.paramsBuf, r.params[:r.slots*slotWords])
		// Slot i's words are in slotBytes-wide slots on the GPU.
	}
	cmd, err := call(r.enc, "finish")
	if err == nil {
		_, err = call(q, "submit", []any{cmd})
	}
	if err != nil {
		r.fail(fmt.Errorf("webgpu: submit: %w", err))
	}
	for range 2 {
		if p, err := call(r.b.g.device, "popErrorScope"); err == nil {
			r.scopes = append(r.scopes, p)
		}
	}
	r.open, r.slots, r.aux = false, 0, r.aux[:0]
	r.lastMatMul = matmulRecord{}
	r.submitted++
	if r.submitted == r.loseAt {
		call(r.b.g.device, "destroy")
	}
}

// write copies words to the start of buf through the queue.
func (r *recorder) write(buf *buffer, words []uint32) {
	data := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 4*len(words))
	if buf == r.paramsBuf {
		data = spread(data)
	}
	js, err := r.jsArray(len(data))
	if err == nil {
		_, err = safejs.CopyBytesToJS(js, data)
	}
	if err == nil {
		_, err = call(r.b.g.queue, "writeBuffer", buf.gpu, 0, js, 0, len(data))
	}
	if err != nil {
		r.fail(fmt.Errorf("webgpu: write %s: %w", buf.label, err))
	}
}

// jsArray is a reusable Uint8Array of at least n bytes.
func (r *recorder) jsArray(n int) (safejs.Value, error) {
	if have, err := r.jsBytes.Length(); err == nil && have >= n {
		return r.jsBytes, nil
	}
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return u8, err
	}
	v, err := u8.New(max(n, 1<<16))
	if err == nil {
		r.jsBytes = v
	}
	return v, err
}

// spread places each slot's 64 bytes of parameters at its 256-byte slot.
func spread(packed []byte) []byte {
	n := len(packed) / (slotWords * 4)
	out := make([]byte, n*slotBytes)
	for i := range n {
		copy(out[i*slotBytes:], packed[i*slotWords*4:(i+1)*slotWords*4])
	}
	return out
}

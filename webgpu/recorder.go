package webgpu

import (
	"fmt"
	"unsafe"
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
	cmds       commands // the open recording; nil when none
	params     []uint32
	slots      int
	paramsBuf  *buffer
	aux        []uint32 // token ids for Embed
	auxBuf     *buffer
	groups     map[groupKey]any
	staging    *buffer // MAP_READ target of reads
	submitted  int
	loseAt     int // the submission that loses the device (Options.Fault)
	dispatches int // recorded since start-up
	lastMatMul matmulRecord
	prof       *profile // nil unless profiling
}

func newRecorder(b *Backend) *recorder {
	return &recorder{b: b, params: make([]uint32, slotCap*slotWords), groups: map[groupKey]any{}}
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
	if r.cmds != nil {
		return true
	}
	cmds, err := r.b.d.encode()
	if err != nil {
		r.fail(fmt.Errorf("webgpu: %w", err))
		return false
	}
	r.cmds = cmds
	return true
}

// special makes a buffer of its own usage (uniform, map-read).
func (r *recorder) special(label string, size, usage int) (*buffer, error) {
	v, _, err := r.b.d.newBuffer(label, size, usage, false)
	if err != nil {
		return nil, fmt.Errorf("webgpu: %s: %w", label, err)
	}
	return r.b.track(v, size, label), nil
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
	if r.prof != nil {
		r.prof.before(r.cmds)
	}
	r.cmds.dispatch(k, bg, x, y)
	if r.prof != nil {
		r.prof.after(r.cmds, k.name)
	}
}

// group is the bind group of k at a parameter slot over bufs, made once.
func (r *recorder) group(k *kernel, slot int, bufs []*buffer) (any, error) {
	key := groupKey{k: k, slot: slot}
	key.bufs[0] = r.paramsBuf.id
	for i, b := range bufs {
		key.bufs[i+1] = b.id
	}
	if g, ok := r.groups[key]; ok {
		return g, nil
	}
	entries := []binding{{index: 0, buf: r.paramsBuf.gpu, offset: slot * slotBytes, size: slotWords * 4}}
	for i, b := range bufs {
		entries = append(entries, binding{index: k.bindings[i], buf: b.gpu})
	}
	g, err := r.b.d.bindGroup(k, entries)
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
			r.b.d.destroyBuffer(r.auxBuf.gpu)
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
	r.cmds.clear(buf.gpu)
}

// copyOut records a copy of n bytes at off of src into the staging buffer.
func (r *recorder) copyOut(src *buffer, off, n int) {
	if !r.ensureEncoder() {
		return
	}
	if r.staging == nil || r.staging.size < n {
		if r.staging != nil {
			r.b.d.destroyBuffer(r.staging.gpu)
			delete(r.b.all, r.staging.id)
		}
		buf, err := r.special("readback", max(256, (n+255)&^255), usageMapRead|usageCopyDst)
		if err != nil {
			r.fail(err)
			return
		}
		r.staging = buf
	}
	r.cmds.copy(src.gpu, off, r.staging.gpu, 0, n)
}

// submit writes the parameters and ids and submits the recording.
func (r *recorder) submit() {
	if r.cmds == nil {
		return
	}
	if len(r.aux) > 0 {
		r.write(r.auxBuf, r.aux)
	}
	if r.slots > 0 {
		r.write(r.paramsBuf, r.params[:r.slots*slotWords])
	}
	if err := r.b.d.submit(r.cmds); err != nil {
		r.fail(fmt.Errorf("webgpu: submit: %w", err))
	}
	r.cmds, r.slots, r.aux = nil, 0, r.aux[:0]
	r.lastMatMul = matmulRecord{}
	r.submitted++
	if r.prof != nil {
		if err := r.prof.collect(r.b.d); err != nil {
			r.fail(fmt.Errorf("webgpu: profile: %w", err))
		}
	}
	if r.submitted == r.loseAt {
		r.b.d.lose()
	}
}

// write copies words to the start of buf through the queue.
func (r *recorder) write(buf *buffer, words []uint32) {
	data := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 4*len(words))
	if buf == r.paramsBuf {
		data = spread(data) // slot i's words go to its slotBytes-wide slot
	}
	if err := r.b.d.writeBuffer(buf.gpu, data); err != nil {
		r.fail(fmt.Errorf("webgpu: write %s: %w", buf.label, err))
	}
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

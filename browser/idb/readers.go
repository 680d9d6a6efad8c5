//go:build js && wasm

package idb

import (
	"crypto/sha256"
	_ "embed"
	"errors"
	"fmt"
	"runtime"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/runtime/store"
)

// readerSource is the store reader worker (reader.js), started from a
// blob: URL so that no file has to be served for it.
//
//go:embed reader.js
var readerSource string

// readerCount is how many store readers a Store starts: three shards
// read and hashed at once, as a load asks for (fetch.Readers). Three beat
// two by 4 % on a 2-core machine (a stored load of 1.62 GB in 4.7–4.9 s
// against 5.0–5.1), where the cores are all busy; more cores gain more.
const readerCount = 3

// errNoReaders says the store readers could not run (no Worker, a
// Content-Security-Policy without blob: workers, a worker that failed):
// the caller reads on its own thread instead.
var errNoReaders = errors.New("idb: no store reader workers")

// readers is a Store's pool of store reader workers, started on first use
// and ended by Close. A shard read there costs the engine's thread only
// the copy into Go: the structured-clone decode of IndexedDB's bytes and
// crypto.subtle's digest, which both run on the thread that asks for them,
// happen in the workers, three shards at once.
type readers struct {
	started  bool
	broken   bool
	url      safejs.Value
	idle     chan *reader
	all      []*reader
	next     int // the next message id
	served   int // shards the workers have read, for tests
	shared   int // of those, the ones handed over in a shared buffer
	digested int // byte slices the workers have hashed, for tests
}

// reader is one worker, serving one request at a time.
type reader struct {
	slot    safejs.Value // a SharedArrayBuffer the worker copies shards into
	w       safejs.Value
	reply   chan safejs.Value // a message's data, or undefined when the worker failed
	h       handlers
	failed  bool
	pending bool
}

// start makes the workers; it reports false when they cannot run.
func (rs *readers) start() bool {
	if rs.started {
		return !rs.broken
	}
	rs.started = true
	if err := rs.spawn(); err != nil {
		rs.close()
		rs.broken = true
	}
	return !rs.broken
}

func (rs *readers) spawn() error {
	blobClass, err := global("Blob")
	if err != nil {
		return err
	}
	opts, err := safejs.ValueOf(map[string]any{"type": "text/javascript"})
	if err != nil {
		return err
	}
	blob, err := blobClass.New([]any{readerSource}, opts)
	if err != nil {
		return err
	}
	urlClass, err := global("URL")
	if err != nil {
		return err
	}
	if rs.url, err = urlClass.Call("createObjectURL", blob); err != nil {
		return err
	}
	worker, err := global("Worker")
	if err != nil {
		return err
	}
	rs.idle = make(chan *reader, readerCount)
	for i := range readerCount {
		name, _ := safejs.ValueOf(map[string]any{"name": fmt.Sprintf("phi2 store reader %d", i+1)})
		w, err := worker.New(rs.url, name)
		if err != nil {
			return err
		}
		r := &reader{w: w, reply: make(chan safejs.Value, 1)}
		rs.all = append(rs.all, r)
		err = r.h.on(w, "message", func(ev safejs.Value) { r.answer(get(ev, "data")) })
		if err == nil {
			err = r.h.on(w, "error", func(ev safejs.Value) {
				_, _ = ev.Call("preventDefault")
				r.failed = true
				r.answer(safejs.Undefined())
			})
		}
		if err != nil {
			return err
		}
		rs.idle <- r
	}
	return nil
}

// answer hands a reply to the waiting request; one that comes with no
// request waiting (a load error after the worker's last answer) is
// dropped.
func (r *reader) answer(v safejs.Value) {
	if r.pending {
		r.pending = false
		r.reply <- v
	}
}

// read asks a worker for shard of model in database db, whole, into p; it
// returns errNoReaders when no worker can. The sum is crypto.subtle's, or
// Go's when the worker had none.
func (rs *readers) read(db, model, shard string, p []byte) (sum [32]byte, err error) {
	st, err := rs.stage(db, model, shard, len(p))
	if err != nil {
		return sum, err
	}
	if err := st.Take(p); err != nil {
		return sum, err
	}
	return st.Sum(), nil
}

// staged is a shard a worker read and hashed, kept in the worker's slot
// (or, in a page without shared buffers, in the buffer it handed over)
// until taken or dropped; the worker serves no one else meanwhile
// (store.StagedShard).
type staged struct {
	rs           *readers
	r            *reader
	bytes        safejs.Value // a Uint8Array of the shard's bytes
	sum          [32]byte
	hashed       bool // sum is the worker's
	handed       bool // bytes is a buffer the worker handed over, not its slot
	model, shard string
	done         bool
}

// stage asks a worker for shard of model in database db, of size bytes,
// and keeps the worker until the shard is taken or dropped; it returns
// errNoReaders when no worker can.
func (rs *readers) stage(db, model, shard string, size int) (*staged, error) {
	if !rs.start() {
		return nil, errNoReaders
	}
	r := <-rs.idle
	if r.failed || rs.broken {
		rs.idle <- r
		rs.broken = true
		return nil, errNoReaders
	}
	st := &staged{rs: rs, r: r, model: model, shard: shard}
	data, err := rs.ask(r, db, model, shard, size)
	if err == nil {
		err = st.hold(data, size)
	}
	if err != nil {
		st.done = true
		rs.idle <- r
		return nil, err
	}
	return st, nil
}

// ask posts a read of shard to worker r and waits for its reply.
func (rs *readers) ask(r *reader, db, model, shard string, size int) (safejs.Value, error) {
	rs.next++
	msg, err := safejs.ValueOf(map[string]any{"id": rs.next, "db": db, "version": store.SchemaVersion, "model": model, "shard": shard, "size": size})
	if err == nil {
		err = msg.Set("slot", r.slotFor(size))
	}
	if err != nil {
		return safejs.Undefined(), err
	}
	r.pending = true
	if _, err := r.w.Call("postMessage", msg); err != nil {
		r.pending = false
		return safejs.Undefined(), err
	}
	data := <-r.reply
	if data.IsUndefined() {
		rs.broken = true
		return data, errNoReaders
	}
	if e := get(data, "error"); !isMissing(e) {
		if str(get(e, "kind")) == "worker" {
			rs.broken = true
			return data, errNoReaders
		}
		return data, readerError(e, model, shard, size)
	}
	return data, nil
}

// hold keeps a worker's reply: where the bytes are and their sum.
func (st *staged) hold(data safejs.Value, size int) error {
	st.bytes = get(data, "bytes")
	st.handed = !isMissing(st.bytes)
	if ok, _ := get(data, "inSlot").Bool(); ok {
		st.rs.shared++
		c, err := global("Uint8Array")
		if err == nil {
			st.bytes, err = c.New(st.r.slot, 0, size)
		}
		if err != nil {
			return fmt.Errorf("idb: shard %q of %s: %v", st.shard, st.model, err)
		}
	}
	if s := get(data, "sum"); !isMissing(s) {
		if c, err := global("Uint8Array"); err == nil {
			if u8, err := c.New(s); err == nil {
				n, _ := safejs.CopyBytesToGo(st.sum[:], u8)
				st.hashed = n == len(st.sum)
			}
		}
	}
	return nil
}

// Take copies the shard into p and frees its worker.
func (st *staged) Take(p []byte) error {
	defer st.Drop()
	if st.done {
		return fmt.Errorf("idb: shard %q of %s was taken or dropped before", st.shard, st.model)
	}
	if n, err := safejs.CopyBytesToGo(p, st.bytes); err != nil || n != len(p) {
		return fmt.Errorf("idb: shard %q of %s: copied %d of %d bytes: %v", st.shard, st.model, n, len(p), err)
	}
	st.rs.served++
	if !st.hashed {
		st.sum = sha256.Sum256(p)
	}
	return nil
}

// Sum is the shard's SHA-256, once taken.
func (st *staged) Sum() [32]byte { return st.sum }

// Drop frees the worker, once. A buffer the worker handed over is let go
// only when Go's collector finalizes the js.Value that holds it, and a
// load allocates too little in Go to start collections: so Drop starts
// one (a small heap, mostly without pointers), or a page without shared
// buffers would keep every shard it read.
func (st *staged) Drop() {
	if !st.done {
		st.done = true
		st.bytes = safejs.Undefined()
		st.rs.idle <- st.r
		if st.handed {
			runtime.GC()
		}
	}
}

// digest hashes p in a worker: p is copied into the worker's shared
// buffer, and the worker hashes it there with crypto.subtle. It returns
// errNoReaders where no worker can, or where the page has no shared
// buffers (a transferred copy per call would be the engine thread's
// garbage).
func (rs *readers) digest(p []byte) (sum [32]byte, err error) {
	if !rs.start() {
		return sum, errNoReaders
	}
	r := <-rs.idle
	defer func() { rs.idle <- r }()
	slot := r.slotFor(len(p))
	if r.failed || rs.broken || slot.IsUndefined() {
		return sum, errNoReaders
	}
	c, err := global("Uint8Array")
	if err != nil {
		return sum, err
	}
	view, err := c.New(slot, 0, len(p))
	if err != nil {
		return sum, err
	}
	if n, err := safejs.CopyBytesToJS(view, p); err != nil || n != len(p) {
		return sum, fmt.Errorf("idb: hashing %d bytes: copied %d: %v", len(p), n, err)
	}
	rs.next++
	msg, err := safejs.ValueOf(map[string]any{"id": rs.next, "digest": len(p)})
	if err == nil {
		err = msg.Set("slot", slot)
	}
	if err != nil {
		return sum, err
	}
	r.pending = true
	if _, err := r.w.Call("postMessage", msg); err != nil {
		r.pending = false
		return sum, err
	}
	data := <-r.reply
	if data.IsUndefined() {
		rs.broken = true
		return sum, errNoReaders
	}
	s := get(data, "sum")
	if isMissing(s) {
		return sum, errNoReaders // no crypto.subtle there, or it failed
	}
	u8, err := c.New(s)
	if err != nil {
		return sum, err
	}
	if n, _ := safejs.CopyBytesToGo(sum[:], u8); n != len(sum) {
		return sum, fmt.Errorf("idb: a digest of %d bytes", n)
	}
	rs.digested++
	return sum, nil
}

// readerError turns a worker's error reply into the error the read on the
// engine's thread gives for the same finding.
func readerError(e safejs.Value, model, shard string, size int) error {
	switch str(get(e, "kind")) {
	case "missing":
		return notFound(model)
	case "size":
		return fmt.Errorf("idb: shard %q of %s holds %d bytes, not the %d asked for", shard, model, int64(num(get(e, "stored"))), size)
	case "chunks":
		return fmt.Errorf("idb: shard %q of %s: %s", shard, model, str(get(e, "message")))
	}
	return fmt.Errorf("idb: reading shard %q of %s: %w", shard, model, &DOMError{Name: str(get(e, "name")), Message: str(get(e, "message"))})
}

// close ends the workers and releases their handlers. A worker that
// failed to start may still report it; its error is then cancelled
// without Go, as the released handler did, rather than left uncaught.
func (rs *readers) close() {
	quiet, qerr := cancelEvent()
	for _, r := range rs.all {
		_, _ = r.w.Call("terminate")
		r.h.release()
		if qerr == nil {
			_ = r.w.Set("onerror", quiet)
		}
		if r.pending {
			r.pending = false
			r.reply <- safejs.Undefined()
		}
	}
	rs.all = nil
	rs.broken = true
	if !rs.url.IsUndefined() {
		if u, err := global("URL"); err == nil {
			_, _ = u.Call("revokeObjectURL", rs.url)
		}
	}
}

// cancelEvent returns a JavaScript function that cancels the event it is
// called with: Event.prototype.preventDefault bound as the receiver of
// Function.prototype.call, which needs no Go and no eval.
func cancelEvent() (safejs.Value, error) {
	event, err := global("Event")
	if err != nil {
		return event, err
	}
	fn, err := global("Function")
	if err != nil {
		return fn, err
	}
	return get(get(fn, "prototype"), "call").Call("bind", get(get(event, "prototype"), "preventDefault"))
}

// slotFor returns the reader's SharedArrayBuffer, grown to n bytes, or
// undefined where a page has none (not cross-origin isolated). The worker
// copies a shard there rather than handing over a buffer of its own: a
// buffer handed over per shard lingers as the engine thread's garbage,
// since that thread allocates too little JavaScript to start collections.
func (r *reader) slotFor(n int) safejs.Value {
	if size, err := get(r.slot, "byteLength").Int(); err == nil && size >= n {
		return r.slot
	}
	r.slot = safejs.Undefined()
	if c, err := global("SharedArrayBuffer"); err == nil {
		if s, err := c.New(n); err == nil {
			r.slot = s
		}
	}
	return r.slot
}

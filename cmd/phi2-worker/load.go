//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/phi2web/phi2web/browser/idb"
	"github.com/phi2web/phi2web/cmd/phi2-worker/page"
	"github.com/phi2web/phi2web/runtime/fetch"
	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/remote"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
	"github.com/phi2web/phi2web/webgpu"
)

// storeName is the IndexedDB database of stored models, shared with the
// CLI's page.
const storeName = "phi2web-models"

// load replaces the model with the one the request names.
func (e *engine) load(id js.Value, o object) error {
	r, err := readLoad(o)
	if err != nil {
		return err
	}
	e.ops.Lock()
	defer e.ops.Unlock()
	e.stop()
	e.drop()
	c, err := newBackend(r.Backend)
	if err != nil {
		return err
	}
	ctx := context.Background()
	l, err := openModel(ctx, r, c, progress(id))
	if errors.Is(err, webgpu.ErrDeviceLost) && r.Backend == "auto" {
		c = simdBackend(err.Error())
		l, err = openModel(ctx, r, c, progress(id))
	}
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.model = l
	e.mu.Unlock()
	done(id, e.infoOf(l))
	return nil
}

// readLoad reads and checks a load request.
func readLoad(o object) (page.Load, error) {
	var r page.Load
	var errs [4]error
	r.Model, errs[0] = o.str("model")
	r.Backend, errs[1] = o.str("backend")
	r.Quant, errs[2] = o.str("quant")
	r.MaxStorageBytes, errs[3] = o.num("maxStorageBytes", 0)
	for _, err := range errs {
		if err != nil {
			return r, err
		}
	}
	return r, r.Check()
}

// openModel loads the model of r from the store (fetching or converting
// it first) onto the backend c, which it owns from then on, and opens a
// session.
func openModel(ctx context.Context, r page.Load, c chosen, report func(fetch.Progress)) (*loaded, error) {
	l := &loaded{req: r, be: c.be, backend: c.name, adapter: c.adapter, fallback: c.fallback}
	st, err := idb.Open(ctx, storeName)
	if err != nil {
		l.close()
		return nil, err
	}
	defer st.Close()
	idb.Persist()
	o := remote.Options{Store: st, Quant: r.Quant, Lock: lockModel, MaxStorageBytes: int64(r.MaxStorageBytes), Progress: report}
	_, err = remote.Open(ctx, r.Model, o, func(src weights.Source) error {
		if l.m != nil {
			l.m.Close()
			l.m = nil
		}
		md, err := modeldir.Open(src)
		if err != nil {
			return remote.BadModel(err)
		}
		meta := md.Meta()
		if meta.Tokenizer.Name != tokenizer.Name {
			return remote.BadModel(fmt.Errorf("%s: the model was converted for tokenizer %q, this engine has %q", r.Model, meta.Tokenizer.Name, tokenizer.Name))
		}
		l.quant, l.bytes = strings.ToLower(meta.Quant), 0
		for _, s := range md.Shards() {
			l.bytes += s.CompressedSize
		}
		var weightBytes int64
		for _, t := range md.Tensors() {
			weightBytes += t.Length
		}
		kv := page.KVCache(c.name, md.Config(), weightBytes)
		l.m, err = phi2.Load(remote.Checked(md), c.be, phi2.Options{KVCache: kv})
		return err
	})
	if err == nil {
		l.s, err = l.m.NewSession()
	}
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// lockModel holds the Web Lock of a model's download: one page or worker
// of a site fetches while the others wait.
func lockModel(ctx context.Context, key string) (func(), error) {
	return idb.Lock(ctx, "phi2web download "+key)
}

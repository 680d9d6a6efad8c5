//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/shaders"
)

// jsDriver is the browser's WebGPU (navigator.gpu), over safejs.
type jsDriver struct {
	device, queue safejs.Value
	info          AdapterInfo
	limits        map[string]float64 // granted
	errs          errorSink
	funcs         []safejs.Func           // the error and loss callbacks, kept alive
	modules       map[string]safejs.Value // shader modules by file
	scopes        []safejs.Value          // popErrorScope promises not yet awaited
	bytes         safejs.Value            // a reusable Uint8Array for writes
}

// openDriver requests the adapter and a device with the limits the
// kernels need.
func openDriver(o Options) (driver, error) {
	nav := get(safejs.Global(), "navigator")
	gpuObj := get(nav, "gpu")
	if gpuObj.IsUndefined() || gpuObj.IsNull() {
		return nil, fmt.Errorf("%w: this browser has no navigator.gpu", ErrUnavailable)
	}
	opts := map[string]any{}
	if o.PowerPreference != "" {
		opts["powerPreference"] = o.PowerPreference
	}
	p, err := call(gpuObj, "requestAdapter", opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	adapter, err := await(p)
	if err != nil {
		return nil, fmt.Errorf("%w: requestAdapter: %v", ErrUnavailable, err)
	}
	if adapter.IsNull() || adapter.IsUndefined() {
		return nil, fmt.Errorf("%w: requestAdapter found no adapter", ErrUnavailable)
	}
	info := adapterInfo(adapter)
	need, err := required(o, info)
	if err != nil {
		return nil, err
	}
	req := map[string]any{}
	for k, v := range need {
		req[k] = v
	}
	var feats []any
	for _, f := range info.Features {
		feats = append(feats, f)
	}
	p, err = call(adapter, "requestDevice", map[string]any{
		"label": "phi2", "requiredLimits": req, "requiredFeatures": feats,
	})
	if err != nil {
		return nil, fmt.Errorf("webgpu: %v", err)
	}
	device, err := await(p)
	if err != nil {
		return nil, fmt.Errorf("webgpu: requestDevice on %s: %v", info, err)
	}
	d := &jsDriver{device: device, queue: get(device, "queue"), info: info, limits: map[string]float64{}, modules: map[string]safejs.Value{}}
	for _, k := range limitNames() {
		d.limits[k] = num(get(get(device, "limits"), k))
	}
	if err := d.watch(); err != nil {
		return nil, err
	}
	return d, nil
}

// adapterInfo reads the adapter's description, the optional features it
// has and its limits.
func adapterInfo(adapter safejs.Value) AdapterInfo {
	ai := get(adapter, "info")
	a := AdapterInfo{
		Vendor: str(get(ai, "vendor")), Architecture: str(get(ai, "architecture")),
		Device: str(get(ai, "device")), Description: str(get(ai, "description")),
		Limits: map[string]float64{},
	}
	if fb, err := get(ai, "isFallbackAdapter").Bool(); err == nil {
		a.Fallback = fb
	} else if fb, err := get(adapter, "isFallbackAdapter").Bool(); err == nil {
		a.Fallback = fb
	}
	limits := get(adapter, "limits")
	for _, k := range limitNames() {
		a.Limits[k] = num(get(limits, k))
	}
	for _, f := range optionalFeatures {
		if has, err := get(adapter, "features").Call("has", f); err == nil {
			if ok, _ := has.Bool(); ok {
				a.Features = append(a.Features, f)
			}
		}
	}
	return a
}

// watch catches uncaptured GPU errors and the loss of the device.
func (d *jsDriver) watch() error {
	onErr, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		msg := str(get(get(arg0(args), "error"), "message"))
		d.errs.set(fmt.Errorf("webgpu: GPU error: %s", msg), false)
		return nil
	})
	if err != nil {
		return err
	}
	if err := d.device.Set("onuncapturederror", onErr); err != nil {
		return err
	}
	onLost, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		info := arg0(args)
		d.errs.set(fmt.Errorf("%w (%s): %s", ErrDeviceLost, str(get(info, "reason")), str(get(info, "message"))), true)
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := get(d.device, "lost").Call("then", onLost); err != nil {
		return err
	}
	d.funcs = []safejs.Func{onErr, onLost}
	return nil
}

func (d *jsDriver) adapter() AdapterInfo      { return d.info }
func (d *jsDriver) limit(name string) float64 { return d.limits[name] }

func (d *jsDriver) newBuffer(label string, size, usage int, mapped bool) (any, any, error) {
	v, err := call(d.device, "createBuffer", map[string]any{
		"label": label, "size": size, "usage": usage, "mappedAtCreation": mapped,
	})
	if err != nil || !mapped {
		return v, nil, err
	}
	r, err := call(v, "getMappedRange")
	if err != nil {
		d.destroyBuffer(v)
		return nil, nil, err
	}
	view, err := uint8Array(r)
	if err != nil {
		d.destroyBuffer(v)
		return nil, nil, err
	}
	return v, view, nil
}

func (d *jsDriver) writeMapped(rng any, off int, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	sub, err := call(rng.(safejs.Value), "subarray", off, off+len(data))
	if err == nil {
		_, err = safejs.CopyBytesToJS(sub, data)
	}
	return err
}

func (d *jsDriver) unmap(buf any) error {
	_, err := call(buf.(safejs.Value), "unmap")
	return err
}

func (d *jsDriver) destroyBuffer(buf any) { call(buf.(safejs.Value), "destroy") }

func (d *jsDriver) writeBuffer(buf any, data []byte) error {
	js, err := d.jsArray(len(data))
	if err == nil {
		_, err = safejs.CopyBytesToJS(js, data)
	}
	if err == nil {
		_, err = call(d.queue, "writeBuffer", buf.(safejs.Value), 0, js, 0, len(data))
	}
	return err
}

// jsArray is a reusable Uint8Array of at least n bytes.
func (d *jsDriver) jsArray(n int) (safejs.Value, error) {
	if have, err := d.bytes.Length(); err == nil && have >= n {
		return d.bytes, nil
	}
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return u8, err
	}
	v, err := u8.New(max(n, 1<<16))
	if err == nil {
		d.bytes = v
	}
	return v, err
}

// compile makes the pipelines of specs, all compiling at once
// (createComputePipelineAsync), with their override constants.
func (d *jsDriver) compile(specs []*kernel) error {
	promises := make([]safejs.Value, len(specs))
	for i, k := range specs {
		mod, ok := d.modules[k.file]
		if !ok {
			src, err := shaders.Source(k.file)
			if err != nil {
				return err
			}
			if mod, err = call(d.device, "createShaderModule", map[string]any{"label": k.file, "code": src}); err != nil {
				return fmt.Errorf("webgpu: %s: %w", k.file, err)
			}
			d.modules[k.file] = mod
		}
		consts := map[string]any{}
		names, values := k.constants()
		for j, n := range names {
			consts[n] = values[j]
		}
		p, err := call(d.device, "createComputePipelineAsync", map[string]any{
			"label": k.name, "layout": "auto",
			"compute": map[string]any{"module": mod, "entryPoint": k.entry, "constants": consts},
		})
		if err != nil {
			return fmt.Errorf("webgpu: kernel %s: %w", k.name, err)
		}
		promises[i] = p
	}
	for i, k := range specs {
		pipe, err := await(promises[i])
		if err != nil {
			return fmt.Errorf("webgpu: kernel %s (%s): %w", k.name, k.file, err)
		}
		k.pipe = pipe
		if k.layout, err = call(pipe, "getBindGroupLayout", 0); err != nil {
			return fmt.Errorf("webgpu: kernel %s: %w", k.name, err)
		}
	}
	return nil
}

func (d *jsDriver) bindGroup(k *kernel, entries []binding) (any, error) {
	list := make([]any, len(entries))
	for i, e := range entries {
		res := map[string]any{"buffer": e.buf.(safejs.Value)}
		if e.size > 0 {
			res["offset"], res["size"] = e.offset, e.size
		}
		list[i] = map[string]any{"binding": e.index, "resource": res}
	}
	return call(d.device, "createBindGroup", map[string]any{"label": k.name, "layout": k.layout, "entries": list})
}

// encode starts a command encoder inside two error scopes, which submit
// closes.
func (d *jsDriver) encode() (commands, error) {
	enc, err := call(d.device, "createCommandEncoder", map[string]any{"label": "phi2 step"})
	if err != nil {
		return nil, err
	}
	call(d.device, "pushErrorScope", "validation")
	call(d.device, "pushErrorScope", "out-of-memory")
	return &jsCommands{enc: enc}, nil
}

func (d *jsDriver) submit(c commands) error {
	jc := c.(*jsCommands)
	jc.endPass()
	cmd, err := call(jc.enc, "finish")
	if err == nil {
		_, err = call(d.queue, "submit", []any{cmd})
	}
	for range 2 {
		if p, perr := call(d.device, "popErrorScope"); perr == nil {
			d.scopes = append(d.scopes, p)
		}
	}
	return err
}

func (d *jsDriver) read(buf any, n int, out []byte) error {
	st := buf.(safejs.Value)
	const mapModeRead = 1
	p, err := call(st, "mapAsync", mapModeRead, 0, (n+3)&^3)
	if err == nil {
		_, err = await(p)
	}
	if err != nil {
		return err
	}
	r, err := call(st, "getMappedRange", 0, (n+3)&^3)
	if err == nil {
		var view safejs.Value
		if view, err = uint8Array(r); err == nil {
			_, err = safejs.CopyBytesToGo(out, view)
		}
	}
	call(st, "unmap")
	return err
}

func (d *jsDriver) idle() error {
	p, err := call(d.queue, "onSubmittedWorkDone")
	if err == nil {
		_, err = await(p)
	}
	return err
}

// failure waits for the error scopes of past submissions, then reports
// the loss of the device or the first error caught.
func (d *jsDriver) failure() error {
	for _, p := range d.scopes {
		v, err := await(p)
		switch {
		case err != nil:
			d.errs.set(fmt.Errorf("webgpu: %w", err), false)
		case !v.IsNull() && !v.IsUndefined():
			d.errs.set(fmt.Errorf("webgpu: GPU error: %s", str(get(v, "message"))), false)
		}
	}
	d.scopes = d.scopes[:0]
	return d.errs.err()
}

// The page writes no timestamps: a browser offers them only inside pass
// descriptors, which the profile does not use.
func (d *jsDriver) canStamp() bool               { return false }
func (d *jsDriver) stamps(int) ([]uint64, error) { return nil, errors.New("no timestamps in a page") }
func (c *jsCommands) stamp(int)                  {}

func (d *jsDriver) lose()    { call(d.device, "destroy") }
func (d *jsDriver) destroy() { call(d.device, "destroy") }

// jsCommands is a GPUCommandEncoder and its open compute pass.
type jsCommands struct {
	enc, pass safejs.Value
	inPass    bool
}

func (c *jsCommands) endPass() {
	if c.inPass {
		call(c.pass, "end")
		c.inPass = false
	}
}

func (c *jsCommands) dispatch(k *kernel, group any, x, y int) {
	if !c.inPass {
		pass, err := call(c.enc, "beginComputePass")
		if err != nil {
			return // the encoder is invalid: its error scope reports it
		}
		c.pass, c.inPass = pass, true
	}
	call(c.pass, "setPipeline", k.pipe)
	call(c.pass, "setBindGroup", 0, group)
	call(c.pass, "dispatchWorkgroups", x, y)
}

func (c *jsCommands) clear(buf any) {
	c.endPass()
	call(c.enc, "clearBuffer", buf.(safejs.Value))
}

func (c *jsCommands) copy(src any, srcOff int, dst any, dstOff, n int) {
	c.endPass()
	call(c.enc, "copyBufferToBuffer", src.(safejs.Value), srcOff, dst.(safejs.Value), dstOff, n)
}

// uint8Array views an ArrayBuffer as a Uint8Array.
func uint8Array(ab safejs.Value) (safejs.Value, error) {
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return u8, err
	}
	return u8.New(ab)
}

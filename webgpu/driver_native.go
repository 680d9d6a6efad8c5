//go:build cgo && !js && (linux || darwin || windows) && (amd64 || arm64)

package webgpu

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cogentcore/webgpu/wgpu"
	"github.com/phi2web/phi2web/shaders"
)

// nativeDriver is wgpu-native (the WebGPU implementation Firefox uses) on
// Vulkan, Metal or D3D12, through cgo. Its calls report their validation
// errors as they return.
type nativeDriver struct {
	instance *wgpu.Instance
	adapt    *wgpu.Adapter
	device   *wgpu.Device
	queue    *wgpu.Queue
	info     AdapterInfo
	limits   map[string]float64
	errs     errorSink
	modules  map[string]*wgpu.ShaderModule // by specialized source

	// The profile's timestamps: a query set, the buffer it resolves into
	// and the buffer that is read back.
	queries         *wgpu.QuerySet
	resolved, ticks *wgpu.Buffer
}

// openDriver requests the adapter and a device with the limits the
// kernels need.
func openDriver(o Options) (driver, error) {
	// Its errors come back from the calls; its log would repeat them.
	wgpu.SetLogLevel(wgpu.LogLevelOff)
	quietWSI.Do(giveRuntimeDir)
	inst := wgpu.CreateInstance(nil)
	pref := wgpu.PowerPreferenceHighPerformance
	if o.PowerPreference == "low-power" {
		pref = wgpu.PowerPreferenceLowPower
	}
	adapt, err := inst.RequestAdapter(&wgpu.RequestAdapterOptions{PowerPreference: pref})
	if err != nil || adapt == nil {
		inst.Release()
		return nil, fmt.Errorf("%w: no adapter (a Vulkan, Metal or D3D12 driver is needed): %v", ErrUnavailable, err)
	}
	d := &nativeDriver{instance: inst, adapt: adapt, limits: map[string]float64{}, modules: map[string]*wgpu.ShaderModule{}}
	d.info = nativeInfo(adapt)
	need, err := required(o, d.info)
	if err != nil {
		d.destroy()
		return nil, err
	}
	lim := wgpu.DefaultLimits()
	setLimits(&lim, need)
	var feats []wgpu.FeatureName
	for _, f := range d.info.Features {
		feats = append(feats, nativeFeatures[f])
	}
	// No DeviceLostCallback: the binding hands it to C in a way cgo's
	// pointer checks refuse. A lost device shows in the calls (read).
	d.device, err = adapt.RequestDevice(&wgpu.DeviceDescriptor{
		Label: "phi2", RequiredLimits: &wgpu.RequiredLimits{Limits: lim}, RequiredFeatures: feats,
	})
	if err != nil {
		d.destroy()
		return nil, fmt.Errorf("webgpu: requestDevice on %s: %v", d.info, err)
	}
	d.queue = d.device.GetQueue()
	d.limits = limitMap(d.device.GetLimits().Limits)
	return d, nil
}

// quietWSI gives the process a runtime directory once.
var quietWSI sync.Once

// giveRuntimeDir sets XDG_RUNTIME_DIR, when it is not set (a headless
// machine, a container), to a private directory: Mesa's Vulkan drivers
// otherwise print "XDG_RUNTIME_DIR is invalid or not set" on stderr at
// every start, though nothing here draws to a screen.
func giveRuntimeDir() {
	if os.Getenv("XDG_RUNTIME_DIR") != "" {
		return
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("phi2web-runtime-%d", os.Getuid()))
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return
	}
	if st, err := os.Stat(dir); err == nil && st.Mode().Perm() == 0o700 {
		os.Setenv("XDG_RUNTIME_DIR", dir)
	}
}

// nativeFeatures are the optional features by their WebGPU names.
var nativeFeatures = map[string]wgpu.FeatureName{
	"shader-f16":      wgpu.FeatureNameShaderF16,
	"timestamp-query": wgpu.FeatureNameTimestampQuery,
}

func nativeInfo(a *wgpu.Adapter) AdapterInfo {
	ai := a.GetInfo()
	info := AdapterInfo{
		Vendor: named(ai.VendorName), Architecture: named(ai.Architecture), Device: named(ai.Name),
		Description: strings.TrimSpace(ai.DriverDescription + " " + ai.BackendType.String()),
		Fallback:    ai.AdapterType == wgpu.AdapterTypeCPU,
		Limits:      limitMap(a.GetLimits().Limits),
	}
	for _, name := range optionalFeatures {
		if f, ok := nativeFeatures[name]; ok && a.HasFeature(f) {
			info.Features = append(info.Features, name)
		}
	}
	return info
}

// named is s unless it is only a number (a PCI id, "0x10005"), which says
// nothing to a reader.
func named(s string) string {
	if strings.HasPrefix(s, "0x") || strings.Trim(s, "0123456789") == "" {
		return ""
	}
	return s
}

// limitMap gives the limits the backend reads by their WebGPU names.
func limitMap(l wgpu.Limits) map[string]float64 {
	return map[string]float64{
		"maxStorageBufferBindingSize":       float64(l.MaxStorageBufferBindingSize),
		"maxBufferSize":                     float64(l.MaxBufferSize),
		"maxComputeWorkgroupStorageSize":    float64(l.MaxComputeWorkgroupStorageSize),
		"maxComputeInvocationsPerWorkgroup": float64(l.MaxComputeInvocationsPerWorkgroup),
		"maxComputeWorkgroupSizeX":          float64(l.MaxComputeWorkgroupSizeX),
		"maxStorageBuffersPerShaderStage":   float64(l.MaxStorageBuffersPerShaderStage),
		"maxComputeWorkgroupsPerDimension":  float64(l.MaxComputeWorkgroupsPerDimension),
		"minUniformBufferOffsetAlignment":   float64(l.MinUniformBufferOffsetAlignment),
		"maxUniformBufferBindingSize":       float64(l.MaxUniformBufferBindingSize),
	}
}

// setLimits raises the limits of l that need names.
func setLimits(l *wgpu.Limits, need map[string]float64) {
	for name, v := range need {
		switch name {
		case "maxStorageBufferBindingSize":
			l.MaxStorageBufferBindingSize = uint64(v)
		case "maxBufferSize":
			l.MaxBufferSize = uint64(v)
		case "maxComputeWorkgroupStorageSize":
			l.MaxComputeWorkgroupStorageSize = uint32(v)
		case "maxComputeInvocationsPerWorkgroup":
			l.MaxComputeInvocationsPerWorkgroup = uint32(v)
		case "maxComputeWorkgroupSizeX":
			l.MaxComputeWorkgroupSizeX = uint32(v)
		case "maxStorageBuffersPerShaderStage":
			l.MaxStorageBuffersPerShaderStage = uint32(v)
		case "maxComputeWorkgroupsPerDimension":
			l.MaxComputeWorkgroupsPerDimension = uint32(v)
		default:
			panic("webgpu: no native limit " + name)
		}
	}
}

func (d *nativeDriver) adapter() AdapterInfo      { return d.info }
func (d *nativeDriver) limit(name string) float64 { return d.limits[name] }

func (d *nativeDriver) newBuffer(label string, size, usage int, mapped bool) (any, any, error) {
	buf, err := d.device.CreateBuffer(&wgpu.BufferDescriptor{
		Label: label, Size: uint64(size), Usage: wgpu.BufferUsage(usage), MappedAtCreation: mapped,
	})
	if err != nil || !mapped {
		return buf, nil, err
	}
	return buf, buf.GetMappedRange(0, uint(size)), nil
}

func (d *nativeDriver) writeMapped(rng any, off int, data []byte) error {
	copy(rng.([]byte)[off:], data)
	return nil
}

func (d *nativeDriver) unmap(buf any) error { return buf.(*wgpu.Buffer).Unmap() }

func (d *nativeDriver) destroyBuffer(buf any) {
	b := buf.(*wgpu.Buffer)
	b.Destroy()
	b.Release()
}

func (d *nativeDriver) writeBuffer(buf any, data []byte) error {
	return d.queue.WriteBuffer(buf.(*wgpu.Buffer), 0, data)
}

// compile makes each pipeline from its file with the override constants
// made consts (shaders.Specialize): the C API as bound here takes no
// pipeline constants.
func (d *nativeDriver) compile(specs []*kernel) error {
	for _, k := range specs {
		src, err := shaders.Source(k.file)
		if err != nil {
			return err
		}
		names, values := k.constants()
		consts := make(map[string]float64, len(names))
		for i, n := range names {
			consts[n] = values[i]
		}
		if src, err = shaders.Specialize(src, consts); err != nil {
			return fmt.Errorf("webgpu: kernel %s: %w", k.name, err)
		}
		mod, ok := d.modules[src]
		if !ok {
			mod, err = d.device.CreateShaderModule(&wgpu.ShaderModuleDescriptor{Label: k.file, WGSLDescriptor: &wgpu.ShaderModuleWGSLDescriptor{Code: src}})
			if err != nil {
				return fmt.Errorf("webgpu: %s: %w", k.file, err)
			}
			d.modules[src] = mod
		}
		pipe, err := d.device.CreateComputePipeline(&wgpu.ComputePipelineDescriptor{
			Label: k.name, Compute: wgpu.ProgrammableStageDescriptor{Module: mod, EntryPoint: k.entry},
		})
		if err != nil {
			return fmt.Errorf("webgpu: kernel %s (%s): %w", k.name, k.file, err)
		}
		k.pipe, k.layout = pipe, pipe.GetBindGroupLayout(0)
	}
	return nil
}

func (d *nativeDriver) bindGroup(k *kernel, entries []binding) (any, error) {
	list := make([]wgpu.BindGroupEntry, len(entries))
	for i, e := range entries {
		list[i] = wgpu.BindGroupEntry{Binding: uint32(e.index), Buffer: e.buf.(*wgpu.Buffer), Offset: uint64(e.offset), Size: wgpu.WholeSize}
		if e.size > 0 {
			list[i].Size = uint64(e.size)
		}
	}
	return d.device.CreateBindGroup(&wgpu.BindGroupDescriptor{Label: k.name, Layout: k.layout.(*wgpu.BindGroupLayout), Entries: list})
}

func (d *nativeDriver) encode() (commands, error) {
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	enc, err := d.device.CreateCommandEncoder(&wgpu.CommandEncoderDescriptor{Label: "phi2 step"})
	if err != nil {
		return nil, err
	}
	return &nativeCommands{d: d, enc: enc}, nil
}

// canStamp: the encoder writes timestamps between passes.
func (d *nativeDriver) canStamp() bool { return true }

// makeQueries makes the query set and its buffers on first use.
func (d *nativeDriver) makeQueries() error {
	if d.queries != nil {
		return nil
	}
	var err error
	d.queries, err = d.device.CreateQuerySet(&wgpu.QuerySetDescriptor{Label: "profile", Type: wgpu.QueryTypeTimestamp, Count: maxStamps})
	if err == nil {
		d.resolved, err = d.device.CreateBuffer(&wgpu.BufferDescriptor{Label: "profile", Size: 8 * maxStamps, Usage: wgpu.BufferUsageQueryResolve | wgpu.BufferUsageCopySrc})
	}
	if err == nil {
		d.ticks, err = d.device.CreateBuffer(&wgpu.BufferDescriptor{Label: "profile readback", Size: 8 * maxStamps, Usage: wgpu.BufferUsageMapRead | wgpu.BufferUsageCopyDst})
	}
	return err
}

func (d *nativeDriver) stamps(n int) ([]uint64, error) {
	raw := make([]byte, 8*n)
	if err := d.read(d.ticks, len(raw), raw); err != nil {
		return nil, err
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(raw[8*i:])
	}
	return out, nil
}

func (d *nativeDriver) submit(c commands) error {
	nc := c.(*nativeCommands)
	defer nc.enc.Release()
	err := nc.endPass()
	if err == nil {
		err = nc.err
	}
	if err != nil {
		d.errs.set(fmt.Errorf("webgpu: GPU error: %v", err), false)
		return err
	}
	if err := d.errs.err(); err != nil {
		return err
	}
	if nc.stamps > 0 {
		nc.keep(nc.enc.ResolveQuerySet(d.queries, 0, uint32(nc.stamps), d.resolved, 0))
		nc.keep(nc.enc.CopyBufferToBuffer(d.resolved, 0, d.ticks, 0, uint64(8*nc.stamps)))
		if nc.err != nil {
			return nc.err
		}
	}
	cmd, err := nc.enc.Finish(nil)
	if err != nil {
		d.errs.set(fmt.Errorf("webgpu: GPU error: %v", err), false)
		return err
	}
	defer cmd.Release()
	d.queue.Submit(cmd)
	return nil
}

// read maps buf once the work before is done, copies n bytes and unmaps.
func (d *nativeDriver) read(buf any, n int, out []byte) error {
	if err := d.errs.err(); err != nil {
		return err
	}
	if err := d.idle(); err != nil {
		return err
	}
	b := buf.(*wgpu.Buffer)
	size := uint64((n + 3) &^ 3)
	var status wgpu.BufferMapAsyncStatus
	done := false
	err := b.MapAsync(wgpu.MapModeRead, 0, size, func(s wgpu.BufferMapAsyncStatus) { status, done = s, true })
	if err != nil {
		return err
	}
	d.await(&done)
	switch status {
	case wgpu.BufferMapAsyncStatusSuccess:
	case wgpu.BufferMapAsyncStatusDeviceLost:
		d.errs.set(fmt.Errorf("%w: %s", ErrDeviceLost, status), true)
		return d.errs.err()
	default:
		return fmt.Errorf("mapping for reading: %s", status)
	}
	copy(out, b.GetMappedRange(0, uint(size))[:n])
	return b.Unmap()
}

// idle waits for the work submitted so far. This wgpu-native's blocking
// poll gives up after 5 s and then acts as if the work were done (resolving
// mappings, freeing what the work still uses), so a long submission (a
// prompt on a software adapter) is waited for with non-blocking polls.
func (d *nativeDriver) idle() error {
	done := false
	var status wgpu.QueueWorkDoneStatus
	d.queue.OnSubmittedWorkDone(func(s wgpu.QueueWorkDoneStatus) { status, done = s, true })
	d.await(&done)
	if status != wgpu.QueueWorkDoneStatusSuccess {
		return fmt.Errorf("waiting for the GPU: %s", status)
	}
	return nil
}

// await polls the device until done is set by a callback: busily for the
// first milliseconds (a decode step on a GPU), then sleeping up to 1 ms
// between polls.
func (d *nativeDriver) await(done *bool) {
	start := time.Now()
	for d.device.Poll(false, nil); !*done; d.device.Poll(false, nil) {
		if since := time.Since(start); since > 5*time.Millisecond {
			time.Sleep(min(since/16, time.Millisecond))
		}
	}
}

func (d *nativeDriver) failure() error { return d.errs.err() }

// lose marks the device lost: wgpu-native has no way to destroy one, and
// the backend only needs every later read to fail as after a reset.
func (d *nativeDriver) lose() {
	d.errs.set(fmt.Errorf("%w (destroyed): the device was destroyed (fault injected)", ErrDeviceLost), true)
}

func (d *nativeDriver) destroy() {
	if d.queries != nil {
		d.queries.Release()
		d.destroyBuffer(d.resolved)
		d.destroyBuffer(d.ticks)
	}
	for _, m := range d.modules {
		m.Release()
	}
	d.modules = nil
	if d.queue != nil {
		d.queue.Release()
	}
	if d.device != nil {
		d.device.Release()
	}
	d.adapt.Release()
	d.instance.Release()
}

// nativeCommands is a command encoder and its open compute pass; the
// first error of a pass is kept for submit.
type nativeCommands struct {
	d      *nativeDriver
	enc    *wgpu.CommandEncoder
	pass   *wgpu.ComputePassEncoder
	err    error
	stamps int // timestamps written: 0..stamps-1
}

func (c *nativeCommands) stamp(i int) {
	c.keep(c.endPass())
	if err := c.d.makeQueries(); err != nil {
		c.keep(err)
		return
	}
	c.keep(c.enc.WriteTimestamp(c.d.queries, uint32(i)))
	c.stamps = max(c.stamps, i+1)
}

func (c *nativeCommands) endPass() error {
	if c.pass == nil {
		return nil
	}
	err := c.pass.End()
	c.pass.Release()
	c.pass = nil
	return err
}

func (c *nativeCommands) keep(err error) {
	if err != nil && c.err == nil {
		c.err = err
	}
}

func (c *nativeCommands) dispatch(k *kernel, group any, x, y int) {
	if c.pass == nil {
		c.pass = c.enc.BeginComputePass(nil)
	}
	c.pass.SetPipeline(k.pipe.(*wgpu.ComputePipeline))
	c.pass.SetBindGroup(0, group.(*wgpu.BindGroup), nil)
	c.pass.DispatchWorkgroups(uint32(x), uint32(y), 1)
}

func (c *nativeCommands) clear(buf any) {
	c.keep(c.endPass())
	b := buf.(*wgpu.Buffer)
	c.keep(c.enc.ClearBuffer(b, 0, b.GetSize()))
}

func (c *nativeCommands) copy(src any, srcOff int, dst any, dstOff, n int) {
	c.keep(c.endPass())
	c.keep(c.enc.CopyBufferToBuffer(src.(*wgpu.Buffer), uint64(srcOff), dst.(*wgpu.Buffer), uint64(dstOff), uint64(n)))
}

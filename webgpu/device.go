//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hack-pad/safejs"
)

// ErrUnavailable is wrapped by New when the browser offers no WebGPU
// adapter at all.
var ErrUnavailable = errors.New("webgpu: not available")

// minLimits are the least the kernels need; New refuses an adapter below
// them. Bigger storage bindings are requested up to what the adapter has
// (weights larger than one binding are split into row pieces).
var minLimits = map[string]float64{
	"maxStorageBufferBindingSize":       16 << 20,
	"maxBufferSize":                     16 << 20,
	"maxComputeWorkgroupStorageSize":    8192,
	"maxComputeInvocationsPerWorkgroup": 256,
	"maxComputeWorkgroupSizeX":          256,
	"maxStorageBuffersPerShaderStage":   4,
	"maxComputeWorkgroupsPerDimension":  65535,
}

// raised are the limits requested at the adapter's maximum.
var raised = []string{"maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize"}

// optionalFeatures are used when present, never required.
var optionalFeatures = []string{"shader-f16", "subgroups", "timestamp-query"}

// AdapterInfo describes the adapter the backend runs on.
type AdapterInfo struct {
	Vendor, Architecture, Device, Description string
	Fallback                                  bool // a software adapter (e.g. SwiftShader)
	Features                                  []string
	Limits                                    map[string]float64
}

// String names the adapter in one line.
func (a AdapterInfo) String() string {
	var parts []string
	for _, s := range []string{a.Vendor, a.Architecture, a.Device, a.Description} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	name := strings.Join(parts, " ")
	if name == "" {
		name = "unnamed adapter"
	}
	if a.Fallback {
		name += " (software)"
	}
	return name
}

// gpu is an open device and what it came with.
type gpu struct {
	device, queue safejs.Value
	info          AdapterInfo
	limits        map[string]float64 // granted
	errs          *errorSink
}

// openDevice requests the adapter and device. need adds to minLimits.
func openDevice(o Options) (*gpu, error) {
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
	need := map[string]float64{}
	for k, v := range minLimits {
		need[k] = v
	}
	for k, v := range o.RequireLimits {
		need[k] = max(need[k], v)
	}
	var short []string
	for k, v := range need {
		if have := info.Limits[k]; have < v {
			short = append(short, fmt.Sprintf("%s %.0f < %.0f", k, have, v))
		}
	}
	if len(short) > 0 {
		sort.Strings(short)
		return nil, fmt.Errorf("webgpu: adapter %s lacks the needed limits: %s", info, strings.Join(short, ", "))
	}
	req := map[string]any{}
	for k, v := range need {
		req[k] = v
	}
	for _, k := range raised {
		req[k] = info.Limits[k]
	}
	var feats []any
	for _, f := range optionalFeatures {
		for _, have := range info.Features {
			if f == have {
				feats = append(feats, f)
			}
		}
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
	g := &gpu{device: device, queue: get(device, "queue"), info: info, limits: map[string]float64{}}
	for _, k := range append(raised, "minUniformBufferOffsetAlignment") {
		g.limits[k] = num(get(get(device, "limits"), k))
	}
	if g.errs, err = watchErrors(device); err != nil {
		return nil, err
	}
	return g, nil
}

// adapterInfo reads the adapter's description, features and limits.
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
	for k := range minLimits {
		a.Limits[k] = num(get(limits, k))
	}
	for _, k := range append(raised, "minUniformBufferOffsetAlignment", "maxUniformBufferBindingSize") {
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

package webgpu

import (
	"errors"
	"fmt"
	"sort"
	"strings"
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

// required are the limits to request of an adapter described by info: the
// least the kernels need (with o's additions), and the raised ones at the
// adapter's maximum; or an error naming those the adapter lacks (or that
// it is a software one, under HardwareOnly).
func required(o Options, info AdapterInfo) (map[string]float64, error) {
	if o.HardwareOnly && info.Fallback {
		return nil, fmt.Errorf("%w: %s is a software adapter, slower than computing on the CPU directly", ErrUnavailable, info)
	}
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
	for _, k := range raised {
		need[k] = info.Limits[k]
	}
	return need, nil
}

// limitNames are the limits read of an adapter: those required and those
// the backend reads.
func limitNames() []string {
	names := append([]string{}, raised...)
	for k := range minLimits {
		names = append(names, k)
	}
	return append(names, "minUniformBufferOffsetAlignment", "maxUniformBufferBindingSize")
}

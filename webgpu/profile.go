package webgpu

import (
	"sort"
	"time"
)

// profile times every dispatch on the GPU (Options.Profile): a timestamp
// before the first dispatch of a submission and after each one, read back
// after the submission. Each dispatch then runs in a compute pass of its
// own, so a profiled step is a little slower than a plain one.
type profile struct {
	names []string // the kernel of each dispatch of the open submission
	total map[string]time.Duration
	count map[string]int
}

// maxStamps bounds the dispatches timed in one submission (slotCap is
// smaller, so a submission never holds more).
const maxStamps = 4096

// KernelTime is the GPU time of one kernel over the profiled dispatches.
type KernelTime struct {
	Kernel string
	Count  int
	Total  time.Duration
}

// before stamps the start of a submission's first dispatch.
func (p *profile) before(c commands) {
	if len(p.names) == 0 {
		c.stamp(0)
	}
}

// after stamps the end of a dispatch of kernel name.
func (p *profile) after(c commands, name string) {
	p.names = append(p.names, name)
	c.stamp(len(p.names))
}

// collect adds the times of the submitted dispatches.
func (p *profile) collect(d driver) error {
	n := len(p.names)
	if n == 0 {
		return nil
	}
	defer func() { p.names = p.names[:0] }()
	ticks, err := d.stamps(n + 1)
	if err != nil {
		return err
	}
	for i, name := range p.names {
		// Timestamps are in nanoseconds (Vulkan's timestampPeriod is 1 on
		// NVIDIA; wgpu-native reports raw ticks).
		if ticks[i+1] >= ticks[i] {
			p.total[name] += time.Duration(ticks[i+1] - ticks[i])
		}
		p.count[name]++
	}
	return nil
}

// Profile returns the GPU time per kernel since New or the last
// ResetProfile, the most first; nil unless Options.Profile was given and
// the device has timestamp queries.
func (b *Backend) Profile() []KernelTime {
	if b.rec.prof == nil {
		return nil
	}
	var out []KernelTime
	for name, t := range b.rec.prof.total {
		out = append(out, KernelTime{Kernel: name, Count: b.rec.prof.count[name], Total: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Total > out[j].Total })
	return out
}

// ResetProfile starts the profile afresh.
func (b *Backend) ResetProfile() {
	if p := b.rec.prof; p != nil {
		p.total, p.count = map[string]time.Duration{}, map[string]int{}
	}
}

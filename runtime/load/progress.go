package load

import (
	"time"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

func (j *job) report(p Progress) {
	if j.o.Progress != nil {
		j.o.Progress(p)
	}
}

// first passes on the reports of the fetch that stores the model, but for
// its ready: the model is ready once loaded.
func (j *job) first() func(Progress) {
	return func(p Progress) {
		if p.Phase != PhaseReady {
			j.report(p)
		}
	}
}

func (j *job) ready() { j.report(Progress{Phase: PhaseReady, Done: 1, Total: 1}) }

// converted reports a conversion's progress over total source bytes.
func (j *job) converted(total int64) func(int64) {
	start := time.Now()
	return func(done int64) { j.report(rated(PhaseConvert, done, total, start)) }
}

// rated is a report with the rate since start.
func rated(phase string, done, total int64, start time.Time) Progress {
	p := Progress{Phase: phase, Done: done, Total: total}
	if s := time.Since(start).Seconds(); s > 0 && done > 0 {
		p.BytesPerSecond = float64(done) / s
		p.Remaining = time.Duration(float64(max(total-done, 0)) / p.BytesPerSecond * float64(time.Second))
	}
	return p
}

// countingLoader reports PhaseLoad as the tensors of a model read in place
// are walked: Done and Total count their bytes as stored.
type countingLoader struct {
	weights.Loader
	report func(Progress)
	total  int64
}

func (c countingLoader) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	return c.EachPart(nil, weights.WholeOnly(f))
}

func (c countingLoader) EachPart(whole weights.Whole, f weights.PartFunc) error {
	start, done := time.Now(), int64(0)
	var busy time.Duration
	report := func(done int64) {
		p := rated(PhaseLoad, done, c.total, start)
		p.Busy = busy
		c.report(p)
	}
	c.report(Progress{Phase: PhaseLoad, Total: c.total})
	err := weights.EachPart(c.Loader, whole, func(name string, dt tensor.DType, shape []int, off int64, data []byte) error {
		t := time.Now()
		if err := f(name, dt, shape, off, data); err != nil {
			return err
		}
		busy += time.Since(t)
		done = min(done+int64(len(data)), c.total)
		report(done)
		return nil
	})
	if err == nil && done < c.total { // a GGUF file's total counts its header
		report(c.total)
	}
	return err
}

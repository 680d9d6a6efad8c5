package load

import (
	"sync"
	"time"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// loadSteps is how many load reports a load makes at most, besides its
// first and last.
const loadSteps = 200

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

// second passes on the reports of the fetch that finds the model stored
// only where it downloads something (a shard dropped meanwhile, a
// repair): the first has reported the rest.
func (j *job) second() func(Progress) {
	return func(p Progress) {
		switch {
		case p.Phase == PhaseManifest, p.Phase == PhaseReady:
		case p.Phase == PhaseDownload && p.FromCache:
		default:
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

// counting returns src reporting the shard bytes read from it.
func (j *job) counting(src weights.Source) weights.Source {
	if j.o.Progress == nil {
		return src
	}
	c := &countingSource{src: src, j: j, start: time.Now(), total: shardBytes(src)}
	c.step = max(c.total/loadSteps, 1)
	j.report(Progress{Phase: PhaseLoad, Total: c.total})
	return c
}

// shardBytes is the size of the shards the manifest of src lists (0 when
// it cannot be read).
func shardBytes(src weights.Source) int64 {
	m, err := modeldir.Open(src)
	if err != nil {
		return 0
	}
	var n int64
	for _, s := range m.Shards() {
		n += s.CompressedSize
	}
	return n
}

type countingSource struct {
	src   weights.Source
	j     *job
	start time.Time
	total int64
	step  int64

	mu       sync.Mutex
	done     int64
	reported int64
}

func (c *countingSource) Open(name string) (weights.File, error) {
	f, err := c.src.Open(name)
	if err != nil || name == modeldir.ManifestFile {
		return f, err
	}
	return countingFile{f, c}, nil
}

func (c *countingSource) add(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = min(c.done+int64(n), c.total)
	if c.done-c.reported >= c.step || (c.done == c.total && c.reported < c.total) {
		c.reported = c.done
		c.j.report(rated(PhaseLoad, c.done, c.total, c.start))
	}
}

type countingFile struct {
	weights.File
	c *countingSource
}

func (f countingFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.File.ReadAt(p, off)
	f.c.add(n)
	return n, err
}

// countingLoader reports PhaseLoad as the tensors of a model read in place
// are walked: Done and Total count their bytes as stored.
type countingLoader struct {
	weights.Loader
	report func(Progress)
	total  int64
}

func (c countingLoader) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	start, done := time.Now(), int64(0)
	c.report(Progress{Phase: PhaseLoad, Total: c.total})
	err := c.Loader.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		if err := f(name, dt, shape, data); err != nil {
			return err
		}
		done = min(done+int64(len(data)), c.total)
		c.report(rated(PhaseLoad, done, c.total, start))
		return nil
	})
	if err == nil && done < c.total { // a GGUF file's total counts its header
		c.report(rated(PhaseLoad, c.total, c.total, start))
	}
	return err
}

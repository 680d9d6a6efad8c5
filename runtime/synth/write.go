package synth

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// chunkElems bounds the memory of the writer: values are generated and
// written this many at a time.
const chunkElems = 1 << 16

// Write creates dir if needed and writes config.json and model.safetensors
// for o into it. config.json names 50256 as bos and eos token, or null when
// the vocabulary is too small to hold it.
func Write(dir string, o Options) error { return WriteProgress(dir, o, nil) }

// WriteProgress is Write that calls progress, when not nil, with the bytes
// of model.safetensors written so far (out of FileSize(o)).
func WriteProgress(dir string, o Options, progress func(done int64)) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("synth: %v", err)
	}
	cfg, err := configJSON(o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		return fmt.Errorf("synth: %v", err)
	}
	path := filepath.Join(dir, "model.safetensors")
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %v", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var out io.Writer = bw
	if progress != nil {
		out = &countingWriter{w: bw, report: progress}
	}
	err = EncodeSafetensors(out, o)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // a partial checkpoint must not pass for a whole one
		return fmt.Errorf("synth: writing %s: %v", path, strings.TrimPrefix(err.Error(), "synth: "))
	}
	return nil
}

// EncodeSafetensors streams the model.safetensors bytes for o to w: the
// header, then every tensor in name order, generated chunk by chunk.
func EncodeSafetensors(w io.Writer, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	ts := fileOrder(o.tensors())
	if _, err := w.Write(header(ts, o)); err != nil {
		return fmt.Errorf("synth: header: %w", err)
	}
	size := o.DType.Size()
	buf := make([]byte, chunkElems*size)
	for _, t := range ts {
		n := t.numElements()
		for done := uint64(0); done < n; done += chunkElems {
			m := min(n-done, chunkElems)
			chunk := buf[:int(m)*size]
			encodeValues(chunk, o.DType, o.Seed, t.first+done, t.scale, t.offset)
			if _, err := w.Write(chunk); err != nil {
				return fmt.Errorf("synth: tensor %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// header is the 8-byte length plus the JSON header: keys sorted by name with
// __metadata__ first, compact, padded with spaces to a multiple of 8.
func header(ts []tensorSpec, o Options) []byte {
	var sb strings.Builder
	sb.WriteString(`{"__metadata__":{"format":"pt"}`)
	var off uint64
	for _, t := range ts {
		end := off + t.numElements()*uint64(o.DType.Size())
		name, _ := json.Marshal(t.name)
		fmt.Fprintf(&sb, `,%s:{"dtype":"%s","shape":[`, name, o.DType)
		for i, d := range t.shape {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&sb, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	sb.WriteByte('}')
	for sb.Len()%8 != 0 {
		sb.WriteByte(' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(sb.Len()))
	return append(out, sb.String()...)
}

// FileSize is the size in bytes of model.safetensors for o, or 0 for
// options Validate refuses (which Write refuses too), whose tensor list
// alone could be as large as they ask.
func FileSize(o Options) int64 {
	if o.Validate() != nil {
		return 0
	}
	n := int64(len(header(fileOrder(o.tensors()), o)))
	for _, t := range o.tensors() {
		n += int64(t.numElements()) * int64(o.DType.Size())
	}
	return n
}

// countingWriter reports the running total of bytes written.
type countingWriter struct {
	w      io.Writer
	n      int64
	report func(int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.report(c.n)
	return n, err
}

package gguf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Tensor is one tensor to write. Dims are innermost first, as in
// TensorInfo: a [rows, cols] matrix has Dims {cols, rows}. Data holds the
// GGML encoding (for Q8_0 and Q4_0, rows of 34- or 18-byte blocks).
type Tensor struct {
	Name string
	Type Type
	Dims []int64
	Data []byte
}

// Write writes a GGUF v3 file: kv in the order given, then the tensor
// infos and the data in the order given, each tensor starting at a
// multiple of 32 bytes. Metadata values take the Go types KV describes.
// An explicit general.alignment must be uint32(32).
func Write(w io.Writer, kv []KV, tensors []Tensor) error {
	var h bytes.Buffer
	h.WriteString(magic)
	le := binary.LittleEndian
	h.Write(le.AppendUint32(nil, 3))
	h.Write(le.AppendUint64(nil, uint64(len(tensors))))
	h.Write(le.AppendUint64(nil, uint64(len(kv))))
	seen := map[string]bool{}
	for _, e := range kv {
		if seen[e.Key] {
			return fmt.Errorf("gguf: duplicate metadata key %s", clip(e.Key))
		}
		seen[e.Key] = true
		if e.Key == alignmentKey && e.Value != any(uint32(defaultAlignment)) {
			return fmt.Errorf("gguf: %s = %v: Write uses uint32(%d)", alignmentKey, e.Value, defaultAlignment)
		}
		writeString(&h, e.Key)
		if err := writeValue(&h, e.Value, true); err != nil {
			return fmt.Errorf("gguf: metadata key %s: %v", clip(e.Key), err)
		}
	}
	names := map[string]bool{}
	var offset int64
	for _, t := range tensors {
		if err := checkTensor(t, names); err != nil {
			return err
		}
		writeString(&h, t.Name)
		h.Write(le.AppendUint32(nil, uint32(len(t.Dims))))
		for _, d := range t.Dims {
			h.Write(le.AppendUint64(nil, uint64(d)))
		}
		h.Write(le.AppendUint32(nil, uint32(t.Type)))
		h.Write(le.AppendUint64(nil, uint64(offset)))
		offset = alignUp(offset+int64(len(t.Data)), defaultAlignment)
	}
	h.Write(make([]byte, alignUp(int64(h.Len()), defaultAlignment)-int64(h.Len())))
	if _, err := w.Write(h.Bytes()); err != nil {
		return fmt.Errorf("gguf: writing header: %w", err)
	}
	var pad [defaultAlignment]byte
	for i, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("gguf: writing tensor %s: %w", clip(t.Name), err)
		}
		if i < len(tensors)-1 {
			n := alignUp(int64(len(t.Data)), defaultAlignment) - int64(len(t.Data))
			if _, err := w.Write(pad[:n]); err != nil {
				return fmt.Errorf("gguf: writing tensor %s: %w", clip(t.Name), err)
			}
		}
	}
	return nil
}

func checkTensor(t Tensor, names map[string]bool) error {
	if names[t.Name] {
		return fmt.Errorf("gguf: duplicate tensor %s", clip(t.Name))
	}
	names[t.Name] = true
	if len(t.Dims) == 0 || len(t.Dims) > maxDims {
		return fmt.Errorf("gguf: tensor %s: %d dims, want 1 to %d", clip(t.Name), len(t.Dims), maxDims)
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d != 0 && n > math.MaxInt64/d {
			return fmt.Errorf("gguf: tensor %s: bad dims %v", clip(t.Name), t.Dims)
		}
		n *= d
	}
	if !t.Type.known() {
		return fmt.Errorf("gguf: tensor %s: %s", clip(t.Name), t.Type.unsupported())
	}
	size, ok := t.Type.byteSize(n, t.Dims[0])
	if !ok {
		return fmt.Errorf("gguf: tensor %s: %s rows of %d elements are not whole blocks of %d", clip(t.Name), t.Type, t.Dims[0], blockSize)
	}
	if int64(len(t.Data)) != size {
		return fmt.Errorf("gguf: tensor %s: %d data bytes, %s %v takes %d", clip(t.Name), len(t.Data), t.Type, t.Dims, size)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	b.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
	b.WriteString(s)
}

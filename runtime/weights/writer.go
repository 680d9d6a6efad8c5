package weights

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// NamedTensor is one tensor to write: little-endian, row-major bytes.
type NamedTensor struct {
	Name  string
	DType tensor.DType
	Shape []int
	Data  []byte // exactly prod(Shape) · DType.Size() bytes
}

// WriteSafetensors writes tensors as one safetensors file in a canonical
// form, so that equal inputs give equal bytes: tensors sorted by name, a
// compact JSON header with __metadata__ first (left out when metadata is
// empty; its keys sorted) and then each tensor as
// {"dtype":..,"shape":[..],"data_offsets":[begin,end]}, the header padded
// with spaces to a multiple of 8 bytes, and the data back to back.
func WriteSafetensors(w io.Writer, tensors []NamedTensor, metadata map[string]string) error {
	sorted := slices.Clone(tensors)
	slices.SortFunc(sorted, func(a, b NamedTensor) int { return cmp.Compare(a.Name, b.Name) })
	for i, t := range sorted {
		switch {
		case t.Name == "" || t.Name == "__metadata__":
			return fmt.Errorf("safetensors: invalid tensor name %q", t.Name)
		case i > 0 && sorted[i-1].Name == t.Name:
			return fmt.Errorf("safetensors: duplicate tensor %s", showName(t.Name))
		case t.DType != tensor.F32 && t.DType != tensor.F16 && t.DType != tensor.BF16:
			return fmt.Errorf("safetensors: tensor %s: unsupported dtype %v", showName(t.Name), t.DType)
		}
		n := tensor.NumElements(t.Shape)
		if n < 0 || int64(len(t.Data)) != n*int64(t.DType.Size()) {
			return fmt.Errorf("safetensors: tensor %s: %d data bytes do not fit %s %v",
				showName(t.Name), len(t.Data), t.DType, t.Shape)
		}
	}

	var h bytes.Buffer
	h.WriteByte('{')
	if len(metadata) > 0 {
		h.WriteString(`"__metadata__":{`)
		for i, k := range slices.Sorted(maps.Keys(metadata)) {
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, metadata[k])
		}
		h.WriteByte('}')
	}
	var offset int64
	for i, t := range sorted {
		if i > 0 || len(metadata) > 0 {
			h.WriteByte(',')
		}
		writeJSONString(&h, t.Name)
		h.WriteString(`:{"dtype":"` + t.DType.String() + `","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		end := offset + int64(len(t.Data))
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}

	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(h.Len()))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return err
	}
	for _, t := range sorted {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// writeJSONString writes s as a JSON string without HTML escaping, the way
// Rust's serde_json and Python's json module (for ASCII) write it.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // cannot fail for a string
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}

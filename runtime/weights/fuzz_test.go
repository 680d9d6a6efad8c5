package weights

import (
	"bytes"
	"cmp"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// FuzzParseHeader checks that ParseHeader never panics, and that whatever it
// accepts is consistent: every tensor inside the data section, sized by its
// shape and dtype, and no two tensors sharing a byte.
func FuzzParseHeader(f *testing.F) {
	var b bytes.Buffer
	WriteSafetensors(&b, []NamedTensor{
		{"a", tensor.F32, []int{2, 2}, make([]byte, 16)},
		{"b", tensor.F16, []int{3}, make([]byte, 6)},
		{"c", tensor.BF16, []int{0}, nil},
	}, map[string]string{"format": "pt"})
	f.Add(b.Bytes()) // as the writer makes it; the other seeds are in testdata/fuzz/FuzzParseHeader

	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseBytes(data)
		if err != nil {
			if h != nil {
				t.Fatal("header returned with an error")
			}
			return
		}
		size := int64(len(data))
		if h.DataStart < 8 || h.DataStart > size {
			t.Fatalf("data starts at %d in a %d-byte file", h.DataStart, size)
		}
		type span struct{ begin, end int64 }
		var spans []span
		for name, info := range h.Tensors {
			n := tensor.NumElements(info.Shape)
			if n < 0 || info.Size != n*int64(info.DType.Size()) {
				t.Fatalf("%s: size %d for %v %v", name, info.Size, info.DType, info.Shape)
			}
			if info.Offset < h.DataStart || info.Offset > size-info.Size {
				t.Fatalf("%s: bytes [%d, %d) outside data [%d, %d)", name, info.Offset, info.Offset+info.Size, h.DataStart, size)
			}
			if info.Size > 0 {
				spans = append(spans, span{info.Offset, info.Offset + info.Size})
			}
		}
		slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.begin, b.begin) })
		for i := 1; i < len(spans); i++ {
			if spans[i].begin < spans[i-1].end {
				t.Fatalf("overlapping tensors at %v and %v", spans[i-1], spans[i])
			}
		}
	})
}

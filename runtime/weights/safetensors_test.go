package weights

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

func parseBytes(data []byte) (*Header, error) {
	f, _ := MemSource{"m.safetensors": data}.Open("m.safetensors")
	return ParseHeader("m.safetensors", f)
}

func TestWriterExactBytes(t *testing.T) {
	ts := []NamedTensor{
		{"b", tensor.F16, []int{2}, []byte{1, 2, 3, 4}},
		{"a", tensor.F32, []int{1, 2}, []byte{5, 6, 7, 8, 9, 10, 11, 12}},
		{"c", tensor.BF16, []int{}, []byte{13, 14}},
	}
	var out bytes.Buffer
	if err := WriteSafetensors(&out, ts, map[string]string{"format": "pt", "a": "<&>"}); err != nil {
		t.Fatal(err)
	}
	json := `{"__metadata__":{"a":"<&>","format":"pt"},` +
		`"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},` +
		`"b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},` +
		`"c":{"dtype":"BF16","shape":[],"data_offsets":[12,14]}}`
	pad := (8 - len(json)%8) % 8
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(json)+pad))
	want = append(want, json+strings.Repeat(" ", pad)...)
	want = append(want, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 13, 14)
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("got\n%q\nwant\n%q", out.Bytes(), want)
	}

	// Without metadata the object starts with the first tensor.
	out.Reset()
	if err := WriteSafetensors(&out, ts[:1], nil); err != nil {
		t.Fatal(err)
	}
	if h := out.String()[8:]; !strings.HasPrefix(h, `{"b":{"dtype":"F16"`) || (len(h)-4)%8 != 0 {
		t.Errorf("header %q", h)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	ts := tensorsFor(t, mustJSON(t, tinyConfig()), tensor.F16)
	data := safetensorsBytes(t, ts)
	h, err := parseBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Tensors) != len(ts) || h.Metadata["format"] != "pt" || len(h.Metadata) != 1 {
		t.Fatalf("%d tensors, metadata %v", len(h.Tensors), h.Metadata)
	}
	if h.DataStart%8 != 0 {
		t.Errorf("data starts at %d, not a multiple of 8", h.DataStart)
	}
	for _, nt := range ts {
		info := h.Tensors[nt.Name]
		if info.DType != nt.DType || !slices.Equal(info.Shape, nt.Shape) || info.File != "m.safetensors" {
			t.Errorf("%s: %+v", nt.Name, info)
		}
		if got := data[info.Offset : info.Offset+info.Size]; !bytes.Equal(got, nt.Data) {
			t.Errorf("%s: stored bytes differ", nt.Name)
		}
	}
}

func TestWriterErrors(t *testing.T) {
	ok := NamedTensor{"x", tensor.F32, []int{2}, make([]byte, 8)}
	for _, tc := range []struct {
		ts   []NamedTensor
		want string
	}{
		{[]NamedTensor{ok, ok}, "duplicate tensor x"},
		{[]NamedTensor{{"", tensor.F32, nil, make([]byte, 4)}}, "invalid tensor name"},
		{[]NamedTensor{{"__metadata__", tensor.F32, nil, make([]byte, 4)}}, "invalid tensor name"},
		{[]NamedTensor{{"y", tensor.F16, []int{3}, make([]byte, 4)}}, "4 data bytes do not fit F16 [3]"},
		{[]NamedTensor{{"y", tensor.DType(9), []int{1}, make([]byte, 4)}}, "unsupported dtype"},
		{[]NamedTensor{{"y", tensor.F32, []int{-1}, nil}}, "do not fit"},
	} {
		wantErr(t, WriteSafetensors(&bytes.Buffer{}, tc.ts, nil), tc.want)
	}
}

func TestParseHeaderAccepts(t *testing.T) {
	// Leading and trailing blanks, zero-size tensors, a gap, metadata null.
	h, err := parseBytes(rawFile(`  {"__metadata__":null,"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},`+
		`"z":{"dtype":"BF16","shape":[],"data_offsets":[2,4]},"w":{"shape":[1],"data_offsets":[8,12],"dtype":"F32","extra":1}}   `, 12))
	if err != nil {
		t.Fatal(err)
	}
	headerLen := int64(len(`  {"__metadata__":null,"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},` +
		`"z":{"dtype":"BF16","shape":[],"data_offsets":[2,4]},"w":{"shape":[1],"data_offsets":[8,12],"dtype":"F32","extra":1}}   `))
	want := map[string]TensorInfo{
		"e": {tensor.F32, []int{0, 3}, 0, "m.safetensors", 8 + headerLen + 4},
		"z": {tensor.BF16, []int{}, 2, "m.safetensors", 8 + headerLen + 2},
		"w": {tensor.F32, []int{1}, 4, "m.safetensors", 8 + headerLen + 8},
	}
	for name, w := range want {
		g := h.Tensors[name]
		if g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || g.Size != w.Size || g.Offset != w.Offset || g.File != w.File {
			t.Errorf("%s: %+v, want %+v", name, g, w)
		}
	}
	if len(h.Tensors) != 3 || len(h.Metadata) != 0 {
		t.Errorf("%d tensors, metadata %v", len(h.Tensors), h.Metadata)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	ent := func(name, dtype, shape, offs string) string {
		return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offs + `}`
	}
	good := ent("w", "F32", "[2,2]", "[0,16]")
	huge := binary.LittleEndian.AppendUint64(nil, 200<<20)
	for _, tc := range []struct {
		name string
		file []byte
		want []string
	}{
		{"short file", []byte{1, 0, 0}, []string{"m.safetensors", "3 bytes", "too short"}},
		{"length past end", rawFile(`{}`, 0)[:9], []string{"header length 2", "9-byte file"}},
		{"length over limit", append(huge, make([]byte, 16)...), []string{"header length 209715200", "limit"}},
		{"bad JSON", rawFile(`{"w":{"dtype":"F32",}`, 0), []string{"m.safetensors: header", "invalid JSON"}},
		{"not an object", rawFile(`[1,2]`, 0), []string{"want a JSON object"}},
		{"huge number", rawFile(`1E999`, 0), []string{"want a JSON object, found 1E999"}},
		{"trailing data", rawFile(`{} {}`, 0), []string{"after the object"}},
		{"invalid UTF-8", rawFile("{\"\xff\":1}", 0), []string{"UTF-8"}},
		{"duplicate tensor", rawFile(`{`+good+`,`+good+`}`, 16), []string{"duplicate key w"}},
		{"duplicate field", rawFile(`{"w":{"dtype":"F32","dtype":"F16","shape":[],"data_offsets":[0,4]}}`, 4),
			[]string{"tensor w", "duplicate key dtype"}},
		{"I64", rawFile(`{`+good+`,`+ent("ids", "I64", "[2]", "[16,32]")+`}`, 32),
			[]string{"tensor ids", `"I64"`}},
		{"dtype not string", rawFile(`{"w":{"dtype":5,"shape":[1],"data_offsets":[0,4]}}`, 4),
			[]string{"tensor w", "dtype 5"}},
		{"missing shape", rawFile(`{"w":{"dtype":"F32","data_offsets":[0,4]}}`, 4), []string{"tensor w", "missing shape"}},
		{"missing offsets", rawFile(`{"w":{"dtype":"F32","shape":[1]}}`, 4), []string{"tensor w", "missing data_offsets"}},
		{"negative dim", rawFile(`{`+ent("w", "F32", "[2,-2]", "[0,16]")+`}`, 16), []string{"tensor w", "shape[1] = -2"}},
		{"fractional dim", rawFile(`{`+ent("w", "F32", "[2.5]", "[0,16]")+`}`, 16), []string{"shape[0] = 2.5"}},
		{"shape null", rawFile(`{`+ent("w", "F32", "null", "[0,16]")+`}`, 16), []string{"shape null is not an array"}},
		{"overflowing shape", rawFile(`{`+ent("w", "F32", "[4294967296,4294967296]", "[0,16]")+`}`, 16),
			[]string{"too many elements"}},
		{"offsets count", rawFile(`{`+ent("w", "F32", "[1]", "[0,4,8]")+`}`, 16), []string{"data_offsets has 3 values"}},
		{"begin after end", rawFile(`{`+ent("w", "F32", "[0]", "[8,4]")+`}`, 16), []string{"tensor w", "[8, 4]", "begin after end"}},
		{"offsets outside", rawFile(`{`+ent("w", "F32", "[2,2]", "[0,16]")+`}`, 12),
			[]string{"tensor w", "[0, 16]", "12-byte data section"}},
		{"huge offset", rawFile(`{`+ent("w", "F32", "[1]", "[9223372036854775803,9223372036854775807]")+`}`, 12),
			[]string{"tensor w", "run past"}},
		{"size mismatch", rawFile(`{`+ent("w", "F16", "[2,3]", "[0,16]")+`}`, 16),
			[]string{"tensor w", "hold 16 bytes", "F16 [2 3] needs 12"}},
		{"overlap", rawFile(`{`+good+`,`+ent("v", "F32", "[2]", "[12,20]")+`}`, 24),
			[]string{"tensors w", "[0, 16]", "v", "[12, 20]", "overlap"}},
		{"metadata value", rawFile(`{"__metadata__":{"format":1}}`, 0), []string{"__metadata__", "format", "want a string"}},
		{"metadata not object", rawFile(`{"__metadata__":"pt"}`, 0), []string{"__metadata__", "want a JSON object"}},
		{"entry not object", rawFile(`{"w":[1]}`, 0), []string{"tensor w", "want a JSON object"}},
		{"odd name", rawFile(`{"a b\n":{"dtype":"X","shape":[],"data_offsets":[0,0]}}`, 0), []string{`tensor "a b\n"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := parseBytes(tc.file)
			if h != nil {
				t.Errorf("got a header along with the error")
			}
			wantErr(t, err, append(tc.want, "m.safetensors")...)
		})
	}
}

// sparseFile is data followed by zeros up to size, as a sparse file on
// disk or a server's claimed length would be: nothing of it is allocated.
type sparseFile struct {
	data []byte
	size int64
}

func (f sparseFile) Size() int64  { return f.size }
func (f sparseFile) Close() error { return nil }
func (f sparseFile) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	if off < int64(len(f.data)) {
		copy(p, f.data[off:])
	}
	return len(p), nil
}

// TestParseHeaderTensorLimit: a tensor larger than MaxTensorBytes is
// refused from the header, before anything would allocate its bytes.
func TestParseHeaderTensorLimit(t *testing.T) {
	embedding := func(rows int) sparseFile {
		size := rows * 1024 * 4
		header := fmt.Sprintf(`{"model.embed_tokens.weight":{"dtype":"F32","shape":[%d,1024],"data_offsets":[0,%d]}}`, rows, size)
		return sparseFile{rawFile(header, 0), int64(8 + len(header) + size)}
	}
	_, err := ParseHeader("m.safetensors", embedding(1<<18+1)) // one row over
	wantErr(t, err, "m.safetensors: header: tensor model.embed_tokens.weight: F32 [262145 1024]: tensor size 1073745920 bytes is larger than 1073741824 bytes, the most this engine supports")
	if _, err := ParseHeader("m.safetensors", embedding(1<<18)); err != nil {
		t.Errorf("a tensor at the limit: %v", err)
	}
}

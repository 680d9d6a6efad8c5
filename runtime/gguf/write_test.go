package gguf

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestWriteParse writes every metadata type and a few tensors and reads
// them back unchanged, at aligned offsets.
func TestWriteParse(t *testing.T) {
	kv := []KV{
		{"u8", uint8(200)}, {"i8", int8(-100)}, {"u16", uint16(60000)}, {"i16", int16(-30000)},
		{"u32", uint32(4e9)}, {"i32", int32(-2e9)}, {"u64", uint64(1 << 63)}, {"i64", int64(-1 << 62)},
		{"f32", float32(1.5)}, {"f64", 2.25}, {"yes", true}, {"no", false}, {"s", "héllo"}, {"empty", ""},
		{"a.u8", []uint8{1, 2}}, {"a.i8", []int8{-1}}, {"a.u16", []uint16{7}}, {"a.i16", []int16{-7}},
		{"a.u32", []uint32{1, 2, 3}}, {"a.i32", []int32{-3}}, {"a.u64", []uint64{9}}, {"a.i64", []int64{-9}},
		{"a.f32", []float32{0.5}}, {"a.f64", []float64{0.25}}, {"a.bool", []bool{true, false}},
		{"a.s", []string{"a", "", "ccc"}}, {"a.empty", []uint32{}},
		{"a.nested", []any{[]string{"x"}, []any{[]int32{1, 2}}, []uint8{}}},
		{alignmentKey, uint32(32)},
	}
	ts := []Tensor{
		{"a", TypeF32, []int64{3}, make([]byte, 12)},
		{"b", TypeQ8_0, []int64{64, 2}, bytes.Repeat([]byte{7}, 4*34)},
		{"c", TypeF16, []int64{5, 1, 1}, make([]byte, 10)},
		{"d", TypeQ4_0, []int64{32}, bytes.Repeat([]byte{9}, 18)},
	}
	var b bytes.Buffer
	if err := Write(&b, kv, ts); err != nil {
		t.Fatal(err)
	}
	g, err := Parse(fileOf(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if g.Version != 3 || g.Alignment != 32 || g.DataStart%32 != 0 {
		t.Errorf("version %d alignment %d data at %d", g.Version, g.Alignment, g.DataStart)
	}
	if !reflect.DeepEqual(g.KV, kv) {
		t.Errorf("metadata\n%#v\nwant\n%#v", g.KV, kv)
	}
	for i, w := range ts {
		h := g.Tensors[i]
		data := make([]byte, h.Size)
		if err := g.ReadTensor(h, data); err != nil {
			t.Fatal(err)
		}
		if h.Name != w.Name || h.Type != w.Type || !reflect.DeepEqual(h.Dims, w.Dims) || !bytes.Equal(data, w.Data) {
			t.Errorf("tensor %d: %+v, want %+v", i, h, w)
		}
		if (h.Offset-g.DataStart)%32 != 0 {
			t.Errorf("%s at %d, not aligned", h.Name, h.Offset)
		}
	}
	if s := g.Tensors[1].Shape(); !reflect.DeepEqual(s, []int{2, 64}) {
		t.Errorf("shape %v, want [2 64]", s)
	}
}

func TestWriteErrors(t *testing.T) {
	f32 := func(name string, dims ...int64) Tensor { return Tensor{name, TypeF32, dims, make([]byte, 16)} }
	for _, tc := range []struct {
		name string
		kv   []KV
		ts   []Tensor
		want string
	}{
		{"duplicate key", []KV{{"k", true}, {"k", false}}, nil, `duplicate metadata key "k"`},
		{"unsupported value", []KV{{"k", 3}}, nil, `metadata key "k": unsupported value type int`},
		{"mixed nested", []KV{{"k", []any{[]int8{1}, "x"}}}, nil, "array of arrays holds a string"},
		{"alignment", []KV{{alignmentKey, uint32(64)}}, nil, "general.alignment = 64: Write uses uint32(32)"},
		{"duplicate tensor", nil, []Tensor{f32("a", 4), f32("a", 4)}, `duplicate tensor "a"`},
		{"data length", nil, []Tensor{f32("a", 5)}, `tensor "a": 16 data bytes, F32 [5] takes 20`},
		{"no dims", nil, []Tensor{f32("a")}, `tensor "a": 0 dims`},
		{"negative dim", nil, []Tensor{f32("a", -4)}, `tensor "a": bad dims [-4]`},
		{"Q8_0 partial block", nil, []Tensor{{"a", TypeQ8_0, []int64{16}, nil}}, "not whole blocks of 32"},
		{"unknown type", nil, []Tensor{{"a", Type(14), []int64{256}, nil}}, "ggml type 14 (Q6_K) is not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(&bytes.Buffer{}, tc.kv, tc.ts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q", err, tc.want)
			}
		})
	}
	l := small()
	copy(l.tensors[3].Data, f32Bytes([]float32{float32(math.Inf(1))}))
	err := WritePhi2(&bytes.Buffer{}, l, "Q8_0")
	if want := "tensor " + l.tensors[3].Name + ": element 0 is +Inf"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("WritePhi2 of an Inf: %v, want %q", err, want)
	}
	if err := WritePhi2(&bytes.Buffer{}, small(), "Q5_0"); err == nil || !strings.Contains(err.Error(), `"Q5_0"`) {
		t.Errorf("WritePhi2 Q5_0: %v", err)
	}
}

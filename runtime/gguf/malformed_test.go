package gguf

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/weights"
)

// hb assembles GGUF bytes by hand.
type hb struct{ bytes.Buffer }

func (h *hb) u32(v uint32) *hb { h.Write(binary.LittleEndian.AppendUint32(nil, v)); return h }
func (h *hb) u64(v uint64) *hb { h.Write(binary.LittleEndian.AppendUint64(nil, v)); return h }
func (h *hb) str(s string) *hb { h.u64(uint64(len(s))); h.WriteString(s); return h }

func header(version uint32, nTensors, nKV uint64) *hb {
	h := &hb{}
	h.WriteString("GGUF")
	return h.u32(version).u64(nTensors).u64(nKV)
}

// oneKV is a file with a single metadata entry whose type and value
// bytes are written by value.
func oneKV(key string, value func(h *hb)) []byte {
	h := header(3, 0, 1).str(key)
	value(h)
	return h.Bytes()
}

type rawTensor struct {
	name   string
	dims   []uint64
	typ    uint32
	offset uint64
}

// tensorFile is a file with the given tensor infos and dataLen bytes of
// data after the aligned header.
func tensorFile(dataLen int, ts ...rawTensor) []byte {
	h := header(3, uint64(len(ts)), 0)
	for _, t := range ts {
		h.str(t.name).u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			h.u64(d)
		}
		h.u32(t.typ).u64(t.offset)
	}
	for h.Len()%32 != 0 {
		h.WriteByte(0)
	}
	h.Write(make([]byte, dataLen))
	return h.Bytes()
}

func pad(h *hb, n int) []byte {
	h.Write(make([]byte, n))
	return h.Bytes()
}

func nested(depth int) func(h *hb) {
	return func(h *hb) {
		h.u32(uint32(ValueArray))
		for range depth {
			h.u32(uint32(ValueArray)).u64(1)
		}
		h.u32(uint32(ValueUint8)).u64(0)
	}
}

// TestParseMalformed feeds hand-built broken headers to Parse and checks
// for a one-line error saying what and where.
func TestParseMalformed(t *testing.T) {
	f32 := uint32(TypeF32)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "at byte 0: file ends inside the magic"},
		{"bad magic", []byte("GGML\x03\x00\x00\x00"), `bad magic "GGML" at byte 0`},
		{"version 1", header(1, 0, 0).Bytes(), "version 1 is not supported (want 2 or 3)"},
		{"version 4", header(4, 0, 0).Bytes(), "version 4 is not supported"},
		{"big-endian", header(3<<24, 0, 0).Bytes(), "big-endian"},
		{"truncated header", header(3, 0, 0).Bytes()[:20], "file ends inside the metadata count"},
		{"absurd tensor count", header(3, 1<<40, 0).Bytes(), "at byte 8: tensor count 1099511627776 cannot fit in the 0 bytes left"},
		{"absurd metadata count", header(3, 0, 1<<62).Bytes(), "at byte 16: metadata count"},
		{"string past the end", pad(header(3, 0, 1).u64(1000), 20), "at byte 24: metadata key 0: string length 1000 runs past the end"},
		{"unknown value type", oneKV("k", func(h *hb) { h.u32(13) }), `at byte 33: "k": unknown value type 13`},
		{"truncated value", oneKV("k", func(h *hb) { h.u32(uint32(ValueUint32)).WriteByte(1) }), `file ends inside "k"`},
		{"unknown element type", oneKV("k", func(h *hb) { h.u32(uint32(ValueArray)).u32(42).u64(1) }), "unknown array element type 42"},
		{"absurd array", oneKV("k", func(h *hb) { h.u32(uint32(ValueArray)).u32(uint32(ValueUint32)).u64(1 << 50) }), `"k": array length 1125899906842624 cannot fit`},
		{"absurd string array", oneKV("k", func(h *hb) { h.u32(uint32(ValueArray)).u32(uint32(ValueString)).u64(3).u64(1) }), `"k": array length 3 cannot fit`},
		{"nested too deep", oneKV("k", nested(maxNesting+1)), "arrays nested more than 8 deep"},
		{"bool 2", oneKV("k", func(h *hb) { h.u32(uint32(ValueBool)).WriteByte(2) }), "bool byte 2, want 0 or 1"},
		{"alignment 48", oneKV(alignmentKey, func(h *hb) { h.u32(uint32(ValueUint32)).u32(48) }), "general.alignment = 48: want a power of two"},
		{"alignment u64", oneKV(alignmentKey, func(h *hb) { h.u32(uint32(ValueUint64)).u64(32) }), "general.alignment has type uint64, want uint32"},
		{"Q4_K tensor", tensorFile(0, rawTensor{"w", []uint64{256}, 12, 0}), `tensor "w": ggml type 12 (Q4_K) is not supported`},
		{"unknown type", tensorFile(0, rawTensor{"w", []uint64{4}, 99, 0}), `tensor "w": ggml type 99 is not supported`},
		{"n_dims 5", tensorFile(0, rawTensor{"w", []uint64{1, 1, 1, 1, 1}, f32, 0}), `tensor "w": n_dims 5, want 1 to 4`},
		{"n_dims 0", tensorFile(0, rawTensor{"w", nil, f32, 0}), `tensor "w": n_dims 0`},
		{"dims overflow", tensorFile(0, rawTensor{"w", []uint64{1 << 40, 1 << 40}, f32, 0}), `tensor "w": dims too large`},
		{"tensor over the limit", tensorFile(0, rawTensor{"w", []uint64{1024, 1<<18 + 1}, f32, 0}),
			`tensor "w": F32 [1024 262145]: tensor size 1073745920 bytes is larger than 1073741824 bytes, the most this engine supports`},
		{"partial block", tensorFile(64, rawTensor{"w", []uint64{33}, uint32(TypeQ8_0), 0}), "Q8_0 rows of 33 elements are not whole blocks of 32"},
		{"misaligned", tensorFile(64, rawTensor{"w", []uint64{4}, f32, 16}), `tensor "w": offset 16 is not a multiple of the alignment 32`},
		{"past the end", tensorFile(16, rawTensor{"w", []uint64{8}, f32, 0}), `tensor "w": bytes [64, 96) run past the end of the file (80 bytes)`},
		{"overlap", tensorFile(128, rawTensor{"a", []uint64{16}, f32, 0}, rawTensor{"b", []uint64{16}, f32, 32}), `tensors "a" [96, 160) and "b" [128, 192) overlap`},
		{"duplicate tensor", tensorFile(64, rawTensor{"a", []uint64{4}, f32, 0}, rawTensor{"a", []uint64{4}, f32, 32}), `duplicate tensor "a"`},
	} {
		t.Run(tc.name, func(t *testing.T) { expectError(t, tc.data, Parse, tc.want) })
	}
	dup := header(3, 0, 2).str("k").u32(uint32(ValueUint8))
	dup.WriteByte(1)
	dup.str("k").u32(uint32(ValueUint8)).WriteByte(2)
	expectError(t, dup.Bytes(), Parse, `at byte 38: duplicate metadata key "k"`)
}

func expectError[T any](t *testing.T, data []byte, open func(weights.File) (T, error), want string) {
	t.Helper()
	_, err := open(fileOf(data))
	switch {
	case err == nil:
		t.Fatalf("no error, want %q", want)
	case !strings.Contains(err.Error(), want):
		t.Fatalf("error %q\nwant it to contain %q", err, want)
	case strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "gguf: "):
		t.Fatalf("error %q: want one line starting gguf:", err)
	}
}

package backend_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// fake is a backend.Tensor with no memory behind it.
type fake struct {
	label      string
	rows, cols int
	dt         tensor.DType
}

func (f *fake) Rows() int           { return f.rows }
func (f *fake) Cols() int           { return f.cols }
func (f *fake) DType() tensor.DType { return f.dt }
func (f *fake) Label() string       { return f.label }

func f32(label string, rows, cols int) *fake { return &fake{label, rows, cols, tensor.F32} }
func f16(label string, rows, cols int) *fake { return &fake{label, rows, cols, tensor.F16} }
func kvq8(label string, rows, cols int) *fake {
	return &fake{label, rows, cols, tensor.KVQ8}
}
func bf16(label string, rows, cols int) *fake {
	return &fake{label, rows, cols, tensor.BF16}
}

// checkCase is one call of a Check function and the panic it must raise,
// or "" when it must pass.
type checkCase struct {
	name string
	call func()
	want string
}

// runChecks runs each case, comparing its panic message in full.
func runChecks(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		got := panicOf(c.call)
		if got != c.want {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.want)
		}
	}
}

func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}

func TestCheckMoves(t *testing.T) {
	x, h := f32("x", 2, 8), f16("h", 2, 8)
	table, emb := f16("table", 5, 8), f32("emb", 3, 8)
	runChecks(t, []checkCase{
		{"F32 ok", func() { backend.CheckF32("Op", x) }, ""},
		{"F32 of F16", func() { backend.CheckF32("Op", h) }, `backend: Op: tensor "h" is F16, want F32`},
		{"same shape", func() { backend.SameShape("Op", x, h) }, ""},
		{"shape", func() { backend.SameShape("Op", x, f32("y", 2, 4)) }, `backend: Op: shape [2 8] vs [2 4]`},
		{"shape rows", func() { backend.SameShape("Op", x, f32("y", 3, 8)) }, `backend: Op: shape [2 8] vs [3 8]`},

		{"View ok", func() { backend.CheckView(x, 1, 1) }, ""},
		{"View empty at end", func() { backend.CheckView(x, 2, 0) }, ""},
		{"View past end", func() { backend.CheckView(x, 1, 2) }, `backend: View: rows [1, 3) outside tensor "x" with 2 rows`},
		{"View negative start", func() { backend.CheckView(x, -1, 1) }, `backend: View: rows [-1, 0) outside tensor "x" with 2 rows`},
		{"View negative rows", func() { backend.CheckView(x, 1, -1) }, `backend: View: rows [1, 0) outside tensor "x" with 2 rows`},

		{"Embed ok", func() { backend.CheckEmbed(emb, table, []int32{0, 4, 2}) }, ""},
		{"Embed no ids", func() { backend.CheckEmbed(f32("e", 0, 8), table, nil) }, ""},
		{"Embed dst F16", func() { backend.CheckEmbed(f16("e", 3, 8), table, []int32{0, 1, 2}) }, `backend: Embed: tensor "e" is F16, want F32`},
		{"Embed dst rows", func() { backend.CheckEmbed(emb, table, []int32{0, 1}) }, `backend: Embed: dst "emb" is [3 8], want [2 8] for 2 ids`},
		{"Embed dst cols", func() { backend.CheckEmbed(f32("e", 1, 4), table, []int32{0}) }, `backend: Embed: dst "e" is [1 4], want [1 8] for 1 ids`},
		{"Embed id past table", func() { backend.CheckEmbed(emb, table, []int32{0, 5, 1}) }, `backend: Embed: id 5 at 1 outside table "table" with 5 rows`},
		{"Embed negative id", func() { backend.CheckEmbed(emb, table, []int32{0, 1, -1}) }, `backend: Embed: id -1 at 2 outside table "table" with 5 rows`},

		{"Copy ok", func() { backend.CheckCopy(emb, 1, x, 0, 2) }, ""},
		{"Copy nothing", func() { backend.CheckCopy(emb, 3, x, 2, 0) }, ""},
		{"Copy F32 to F16", func() { backend.CheckCopy(h, 0, x, 0, 1) }, ""},
		{"Copy F16 to F16", func() { backend.CheckCopy(h, 0, f16("g", 1, 8), 0, 1) }, ""},
		{"Copy F32 to KVQ8", func() { backend.CheckCopy(kvq8("kq", 3, 8), 2, x, 1, 1) }, ""},
		{"Copy F16 to KVQ8", func() { backend.CheckCopy(kvq8("kq", 3, 8), 0, h, 0, 1) }, `backend: Copy: tensor "h" is F16, want F32`},
		{"Copy KVQ8 to F32", func() { backend.CheckCopy(x, 0, kvq8("kq", 3, 8), 0, 1) }, `backend: Copy: tensor "kq" is KVQ8, want F32 or F16`},
		{"Copy F16 to F32", func() { backend.CheckCopy(x, 0, h, 0, 1) }, `backend: Copy: src "h" is F16 but dst "x" is F32`},
		{"Copy dst BF16", func() { backend.CheckCopy(bf16("b", 2, 8), 0, x, 0, 1) }, `backend: Copy: tensor "b" is BF16, want F32 or F16`},
		{"Copy src BF16", func() { backend.CheckCopy(h, 0, bf16("b", 2, 8), 0, 1) }, `backend: Copy: tensor "b" is BF16, want F32 or F16`},
		{"Copy cols", func() { backend.CheckCopy(emb, 0, f32("y", 2, 4), 0, 1) }, `backend: Copy: dst "emb" has 8 columns, src "y" has 4`},
		{"Copy negative n", func() { backend.CheckCopy(emb, 1, x, 1, -1) }, `backend: Copy: rows [1, 0) of "x" to [1, 0) of "emb" out of range (2 and 3 rows)`},
		{"Copy negative src row", func() { backend.CheckCopy(emb, 0, x, -1, 1) }, `backend: Copy: rows [-1, 0) of "x" to [0, 1) of "emb" out of range (2 and 3 rows)`},
		{"Copy past src", func() { backend.CheckCopy(emb, 0, x, 1, 2) }, `backend: Copy: rows [1, 3) of "x" to [0, 2) of "emb" out of range (2 and 3 rows)`},
		{"Copy negative dst row", func() { backend.CheckCopy(emb, -1, x, 0, 1) }, `backend: Copy: rows [0, 1) of "x" to [-1, 0) of "emb" out of range (2 and 3 rows)`},
		{"Copy past dst", func() { backend.CheckCopy(emb, 2, x, 0, 2) }, `backend: Copy: rows [0, 2) of "x" to [2, 4) of "emb" out of range (2 and 3 rows)`},

		{"Read ok", func() { backend.CheckRead(x, make([]float32, 16)) }, ""},
		{"Read into more", func() { backend.CheckRead(x, make([]float32, 17)) }, ""},
		{"Read F16", func() { backend.CheckRead(h, make([]float32, 16)) }, `backend: Read: tensor "h" is F16, want F32`},
		{"Read short", func() { backend.CheckRead(x, make([]float32, 15)) }, `backend: Read: dst holds 15 values, tensor "x" has 16`},

		{"Argmax ok", func() { backend.CheckArgmax(x, 1) }, ""},
		{"Argmax F16", func() { backend.CheckArgmax(h, 0) }, `backend: Argmax: tensor "h" is F16, want F32`},
		{"Argmax past", func() { backend.CheckArgmax(x, 2) }, `backend: Argmax: row 2 outside tensor "x" with 2 rows`},
		{"Argmax negative", func() { backend.CheckArgmax(x, -1) }, `backend: Argmax: row -1 outside tensor "x" with 2 rows`},
	})
}

// Passing checks do not allocate, so ops stay allocation-free.
func TestChecksDoNotAllocate(t *testing.T) {
	x, y, w, bias := f32("x", 2, 8), f32("y", 2, 4), f16("w", 4, 8), f32("bias", 1, 4)
	g, table, cache := f32("g", 1, 8), f32("table", 10, 4), f32("cache", 6, 8)
	ids, out, half := []int32{3, 9}, make([]float32, 16), f16("half", 6, 8)
	checks := func() {
		backend.CheckView(x, 0, 2)
		backend.CheckEmbed(y, table, ids)
		backend.CheckCopy(cache, 4, x, 0, 2)
		backend.CheckRead(x, out)
		backend.CheckArgmax(x, 1)
		backend.CheckLayerNorm(x, x, g, g)
		backend.CheckMatMul(y, x, w, bias)
		backend.CheckMatMul(y, x, w, nil)
		backend.CheckGeluNew(x, x)
		backend.CheckAdd(x, x, x)
		backend.CheckAdd3(x, x, x, x)
		backend.CheckRope(x, table, 8, 4, 4)
		backend.CheckAttention(x, x, cache, cache, 4, 4)
		backend.CheckCopy(half, 4, x, 0, 2)
		backend.CheckAttention(x, x, half, half, 4, 4)
	}
	if panicOf(checks) != "" {
		t.Fatalf("a valid call panicked: %s", panicOf(checks))
	}
	if n := testing.AllocsPerRun(50, checks); n != 0 {
		t.Errorf("passing checks allocate %v times", n)
	}
}

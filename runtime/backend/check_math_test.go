package backend_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
)

func TestCheckNormAndMatMul(t *testing.T) {
	x, h, g, b := f32("x", 2, 8), f16("h", 2, 8), f32("g", 1, 8), f32("b", 1, 8)
	y, w, bias := f32("y", 2, 4), f16("w", 4, 8), f32("bias", 1, 4)
	runChecks(t, []checkCase{
		{"LayerNorm ok", func() { backend.CheckLayerNorm(x, x, g, b) }, ""},
		{"LayerNorm dst F16", func() { backend.CheckLayerNorm(h, x, g, b) }, `backend: LayerNorm: tensor "h" is F16, want F32`},
		{"LayerNorm x F16", func() { backend.CheckLayerNorm(x, h, g, b) }, `backend: LayerNorm: tensor "h" is F16, want F32`},
		{"LayerNorm gamma F16", func() { backend.CheckLayerNorm(x, x, f16("g", 1, 8), b) }, `backend: LayerNorm: tensor "g" is F16, want F32`},
		{"LayerNorm beta F16", func() { backend.CheckLayerNorm(x, x, g, f16("b", 1, 8)) }, `backend: LayerNorm: tensor "b" is F16, want F32`},
		{"LayerNorm dst shape", func() { backend.CheckLayerNorm(f32("d", 3, 8), x, g, b) }, `backend: LayerNorm: shape [3 8] vs [2 8]`},
		{"LayerNorm gamma rows", func() { backend.CheckLayerNorm(x, x, f32("g", 2, 8), b) }, `backend: LayerNorm: gamma "g" and beta "b" must be [1 8]`},
		{"LayerNorm gamma cols", func() { backend.CheckLayerNorm(x, x, f32("g", 1, 4), b) }, `backend: LayerNorm: gamma "g" and beta "b" must be [1 8]`},
		{"LayerNorm beta rows", func() { backend.CheckLayerNorm(x, x, g, f32("b", 2, 8)) }, `backend: LayerNorm: gamma "g" and beta "b" must be [1 8]`},
		{"LayerNorm beta cols", func() { backend.CheckLayerNorm(x, x, g, f32("b", 1, 9)) }, `backend: LayerNorm: gamma "g" and beta "b" must be [1 8]`},

		{"MatMul ok", func() { backend.CheckMatMul(y, x, w, bias) }, ""},
		{"MatMul no bias", func() { backend.CheckMatMul(y, x, w, nil) }, ""},
		{"MatMul F32 weights", func() { backend.CheckMatMul(y, x, f32("w", 4, 8), nil) }, ""},
		{"MatMul dst F16", func() { backend.CheckMatMul(f16("d", 2, 4), x, w, nil) }, `backend: MatMul: tensor "d" is F16, want F32`},
		{"MatMul x F16", func() { backend.CheckMatMul(y, h, w, nil) }, `backend: MatMul: tensor "h" is F16, want F32`},
		{"MatMul inner dim", func() { backend.CheckMatMul(y, x, y, nil) }, `backend: MatMul: x "x" is [2 8] but w "y" is [2 4]`},
		{"MatMul dst rows", func() { backend.CheckMatMul(f32("d", 3, 4), x, w, nil) }, `backend: MatMul: dst "d" is [3 4], want [2 4]`},
		{"MatMul dst cols", func() { backend.CheckMatMul(x, x, w, nil) }, `backend: MatMul: dst "x" is [2 8], want [2 4]`},
		{"MatMul bias F16", func() { backend.CheckMatMul(y, x, w, f16("bias", 1, 4)) }, `backend: MatMul: tensor "bias" is F16, want F32`},
		{"MatMul bias rows", func() { backend.CheckMatMul(y, x, w, y) }, `backend: MatMul: bias "y" is [2 4], want [1 4]`},
		{"MatMul bias cols", func() { backend.CheckMatMul(y, x, w, g) }, `backend: MatMul: bias "g" is [1 8], want [1 4]`},

		{"GeluNew ok", func() { backend.CheckGeluNew(x, x) }, ""},
		{"GeluNew dst F16", func() { backend.CheckGeluNew(h, x) }, `backend: GeluNew: tensor "h" is F16, want F32`},
		{"GeluNew x F16", func() { backend.CheckGeluNew(x, h) }, `backend: GeluNew: tensor "h" is F16, want F32`},
		{"GeluNew shape", func() { backend.CheckGeluNew(y, x) }, `backend: GeluNew: shape [2 4] vs [2 8]`},

		{"Add ok", func() { backend.CheckAdd(x, x, x) }, ""},
		{"Add dst F16", func() { backend.CheckAdd(h, x, x) }, `backend: Add: tensor "h" is F16, want F32`},
		{"Add a F16", func() { backend.CheckAdd(x, h, x) }, `backend: Add: tensor "h" is F16, want F32`},
		{"Add b F16", func() { backend.CheckAdd(x, x, h) }, `backend: Add: tensor "h" is F16, want F32`},
		{"Add a shape", func() { backend.CheckAdd(y, x, y) }, `backend: Add: shape [2 4] vs [2 8]`},
		{"Add b shape", func() { backend.CheckAdd(x, x, g) }, `backend: Add: shape [2 8] vs [1 8]`},

		{"Add3 ok", func() { backend.CheckAdd3(x, x, x, x) }, ""},
		{"Add3 dst F16", func() { backend.CheckAdd3(h, x, x, x) }, `backend: Add3: tensor "h" is F16, want F32`},
		{"Add3 a F16", func() { backend.CheckAdd3(x, h, x, x) }, `backend: Add3: tensor "h" is F16, want F32`},
		{"Add3 b F16", func() { backend.CheckAdd3(x, x, h, x) }, `backend: Add3: tensor "h" is F16, want F32`},
		{"Add3 c F16", func() { backend.CheckAdd3(x, x, x, h) }, `backend: Add3: tensor "h" is F16, want F32`},
		{"Add3 a shape", func() { backend.CheckAdd3(x, y, x, x) }, `backend: Add3: shape [2 8] vs [2 4]`},
		{"Add3 b shape", func() { backend.CheckAdd3(x, x, g, x) }, `backend: Add3: shape [2 8] vs [1 8]`},
		{"Add3 c shape", func() { backend.CheckAdd3(x, x, x, f32("z", 2, 9)) }, `backend: Add3: shape [2 8] vs [2 9]`},
	})
}

func TestCheckRopeAndAttention(t *testing.T) {
	x, h, table := f32("x", 2, 8), f16("h", 2, 8), f32("table", 10, 4)
	cache := f32("cache", 6, 8)
	runChecks(t, []checkCase{
		{"Rope ok", func() { backend.CheckRope(x, table, 8, 4, 4) }, ""},
		{"Rope part of each head", func() { backend.CheckRope(x, f32("t", 2, 2), 0, 4, 2) }, ""},
		{"Rope x F16", func() { backend.CheckRope(h, table, 0, 4, 4) }, `backend: Rope: tensor "h" is F16, want F32`},
		{"Rope table F16", func() { backend.CheckRope(x, f16("t", 10, 4), 0, 4, 4) }, `backend: Rope: tensor "t" is F16, want F32`},
		{"Rope head dim 0", func() { backend.CheckRope(x, table, 0, 0, 4) }, `backend: Rope: head dim 0 does not divide 8 columns of "x"`},
		{"Rope head dim", func() { backend.CheckRope(x, table, 0, 3, 2) }, `backend: Rope: head dim 3 does not divide 8 columns of "x"`},
		{"Rope rotary 0", func() { backend.CheckRope(x, table, 0, 4, 0) }, `backend: Rope: rotary dim 0 must be even and in (0, 4]`},
		{"Rope rotary odd", func() { backend.CheckRope(x, table, 0, 4, 3) }, `backend: Rope: rotary dim 3 must be even and in (0, 4]`},
		{"Rope rotary wide", func() { backend.CheckRope(x, table, 0, 4, 6) }, `backend: Rope: rotary dim 6 must be even and in (0, 4]`},
		{"Rope table cols", func() { backend.CheckRope(x, table, 0, 4, 2) }, `backend: Rope: table "table" has 4 columns, want rotary dim 2`},
		{"Rope negative pos", func() { backend.CheckRope(x, table, -1, 4, 4) }, `backend: Rope: positions [-1, 1) exceed the 10 rows of table "table"`},
		{"Rope past table", func() { backend.CheckRope(x, table, 9, 4, 4) }, `backend: Rope: positions [9, 11) exceed the 10 rows of table "table"`},

		{"Attention ok", func() { backend.CheckAttention(x, x, cache, cache, 4, 4) }, ""},
		{"Attention one head", func() { backend.CheckAttention(x, x, cache, cache, 0, 8) }, ""},
		{"Attention dst F16", func() { backend.CheckAttention(h, x, cache, cache, 0, 4) }, `backend: Attention: tensor "h" is F16, want F32`},
		{"Attention q F16", func() { backend.CheckAttention(x, h, cache, cache, 0, 4) }, `backend: Attention: tensor "h" is F16, want F32`},
		{"Attention F16 caches", func() { backend.CheckAttention(x, x, f16("k", 6, 8), f16("v", 6, 8), 0, 4) }, ""},
		{"Attention k F16 only", func() { backend.CheckAttention(x, x, f16("k", 6, 8), cache, 0, 4) }, `backend: Attention: cache "k" is F16 but "cache" is F32`},
		{"Attention v F16 only", func() { backend.CheckAttention(x, x, cache, f16("v", 6, 8), 0, 4) }, `backend: Attention: cache "cache" is F32 but "v" is F16`},
		{"Attention k BF16", func() { backend.CheckAttention(x, x, bf16("k", 6, 8), cache, 0, 4) }, `backend: Attention: cache "k" is BF16, want F32, F16 or KVQ8`},
		{"Attention KVQ8 caches", func() { backend.CheckAttention(x, x, kvq8("k", 6, 8), kvq8("v", 6, 8), 0, 4) }, ""},
		{"Attention k KVQ8 only", func() { backend.CheckAttention(x, x, kvq8("k", 6, 8), f16("v", 6, 8), 0, 4) }, `backend: Attention: cache "k" is KVQ8 but "v" is F16`},
		{"Attention dst shape", func() { backend.CheckAttention(f32("d", 1, 8), x, cache, cache, 0, 4) }, `backend: Attention: shape [1 8] vs [2 8]`},
		{"Attention cache shapes", func() { backend.CheckAttention(x, x, cache, f32("v", 5, 8), 0, 4) }, `backend: Attention: shape [6 8] vs [5 8]`},
		{"Attention cache cols", func() { backend.CheckAttention(x, x, f32("kv", 6, 4), f32("kv", 6, 4), 0, 4) }, `backend: Attention: q "x" has 8 columns, cache "kv" has 4`},
		{"Attention head dim 0", func() { backend.CheckAttention(x, x, cache, cache, 0, 0) }, `backend: Attention: head dim 0 does not divide 8 columns`},
		{"Attention head dim", func() { backend.CheckAttention(x, x, cache, cache, 0, 3) }, `backend: Attention: head dim 3 does not divide 8 columns`},
		{"Attention negative pos", func() { backend.CheckAttention(x, x, cache, cache, -1, 4) }, `backend: Attention: positions [-1, 1) exceed the 6 cache rows`},
		{"Attention past cache", func() { backend.CheckAttention(x, x, cache, cache, 5, 4) }, `backend: Attention: positions [5, 7) exceed the 6 cache rows`},
	})
}

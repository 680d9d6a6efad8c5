package gguf

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// TestRoundTripTiny writes the tiny synthetic checkpoint as a phi2 GGUF,
// opens it again and compares every tensor with the source.
func TestRoundTripTiny(t *testing.T) {
	for _, tc := range []struct {
		src tensor.DType
		typ string
	}{
		{tensor.F32, "F32"}, {tensor.F16, "F16"}, {tensor.F32, "F16"},
		{tensor.F32, "Q8_0"}, {tensor.F32, "Q4_0"},
	} {
		t.Run(tc.src.String()+"_to_"+tc.typ, func(t *testing.T) {
			src := tiny(t, tc.src)
			data := writePhi2(t, src, tc.typ)
			m, err := Open(fileOf(data))
			if err != nil {
				t.Fatal(err)
			}
			checkConfig(t, m.Config(), src.Config())
			want, _ := collect(t, src)
			have, _ := collect(t, m)
			if len(have) != len(want) {
				t.Fatalf("%d tensors, want %d", len(have), len(want))
			}
			typ, _ := ParseType(tc.typ)
			for name, w := range want {
				h, ok := have[name]
				if !ok {
					t.Fatalf("missing %s", name)
				}
				if !slices.Equal(h.shape, w.shape) {
					t.Fatalf("%s: shape %v, want %v", name, h.shape, w.shape)
				}
				compareTensor(t, m.File(), name, typ, h, w)
			}
		})
	}
}

func checkConfig(t *testing.T, got, want weights.Config) {
	t.Helper()
	if got.RotaryDim != want.RotaryDim || got.HeadDim != want.HeadDim {
		t.Errorf("rotary dim %d head dim %d, want %d %d", got.RotaryDim, got.HeadDim, want.RotaryDim, want.HeadDim)
	}
	if got.LayerNormEps != float64(float32(want.LayerNormEps)) {
		t.Errorf("layer norm eps %v, want float32(%v)", got.LayerNormEps, want.LayerNormEps)
	}
	// GGUF stores the rotary dimension, not the factor, and eps as float32.
	got.PartialRotaryFactor, want.PartialRotaryFactor = 0, 0
	got.LayerNormEps, want.LayerNormEps = 0, 0
	if got != want {
		t.Errorf("config\n%+v, want\n%+v", got, want)
	}
}

// compareTensor checks one delivered tensor h against the source w.
func compareTensor(t *testing.T, g *File, name string, typ Type, h, w got) {
	t.Helper()
	n := int(tensor.NumElements(w.shape))
	wantVals := make([]float32, n)
	tensor.DecodeF32(wantVals, w.data, w.dt)
	vector := len(w.shape) == 1
	switch {
	case vector && w.dt == tensor.F32 || !vector && typ == ggmlType(w.dt):
		if h.dt != w.dt || !bytes.Equal(h.data, w.data) {
			t.Fatalf("%s: %v bytes differ from the source's %v", name, h.dt, w.dt)
		}
	case vector || typ == TypeF32 || typ == TypeF16:
		wantDT := tensor.F32
		if !vector {
			wantDT = tensor.F16
		}
		if h.dt != wantDT {
			t.Fatalf("%s: dtype %v, want %v", name, h.dt, wantDT)
		}
		vals := make([]float32, n)
		tensor.DecodeF32(vals, h.data, h.dt)
		for i := range vals {
			if wantDT == tensor.F16 && tensor.F32ToF16(wantVals[i]) != tensor.F32ToF16(vals[i]) ||
				wantDT == tensor.F32 && vals[i] != wantVals[i] {
				t.Fatalf("%s[%d] = %v, want %v", name, i, vals[i], wantVals[i])
			}
		}
	default:
		compareQuant(t, g, name, typ, h, wantVals)
	}
}

// compareQuant checks a repacked matrix: the bytes tensor.Quantize makes
// of the source values, and the values the GGUF file's blocks hold by the
// GGML block definition.
func compareQuant(t *testing.T, g *File, name string, typ Type, h got, src []float32) {
	t.Helper()
	rows, cols := h.shape[0], h.shape[1]
	wantDT, _ := ourType(typ)
	if h.dt != wantDT || !bytes.Equal(h.data, tensor.Quantize(wantDT, src, rows, cols)) {
		t.Fatalf("%s: %v bytes differ from tensor.Quantize(%v)", name, h.dt, wantDT)
	}
	gname, _, _, _ := ggufName(name)
	info, _ := g.Tensor(gname)
	raw := make([]byte, info.Size)
	if err := g.ReadTensor(info, raw); err != nil {
		t.Fatal(err)
	}
	fromFile := ggmlValues(typ, raw)
	ours := make([]float32, rows*cols)
	tensor.Dequantize(ours, h.data, h.dt, rows, cols)
	for i, v := range ours {
		if math.Float32bits(v) != math.Float32bits(fromFile[i]) {
			t.Fatalf("%s[%d]: delivered %v, file block says %v", name, i, v, fromFile[i])
		}
	}
}

// TestRoundTripPadding uses a vocabulary of 62, so that the embedding and
// the LM head end in a partial row group.
func TestRoundTripPadding(t *testing.T) {
	src := small()
	for _, typ := range []string{"Q8_0", "Q4_0"} {
		m, err := Open(fileOf(writePhi2(t, src, typ)))
		if err != nil {
			t.Fatal(err)
		}
		have, _ := collect(t, m)
		qt, _ := ParseType(typ)
		for _, w := range src.tensors {
			compareTensor(t, m.File(), w.Name, qt, have[w.Name], got{w.DType, w.Shape, w.Data})
		}
	}
}

// TestFusedQKV rewrites a file with each layer's q, k and v stacked into
// one attn_qkv tensor, as older phi2 files have them, and checks that the
// model delivers the same tensors, q, k, v in that order.
func TestFusedQKV(t *testing.T) {
	for _, typ := range []string{"F32", "Q8_0", "Q4_0"} {
		t.Run(typ, func(t *testing.T) {
			sep := writePhi2(t, small(), typ)
			fused := rewrite(t, sep, fuseQKV)
			g, err := Parse(fileOf(fused))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := g.Tensor("blk.1.attn_qkv.weight"); !ok {
				t.Fatal("no fused tensor written")
			}
			a, err := Open(fileOf(sep))
			if err != nil {
				t.Fatal(err)
			}
			b, err := Open(fileOf(fused))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := collect(t, a)
			have, order := collect(t, b)
			for name, w := range want {
				h := have[name]
				if h.dt != w.dt || !slices.Equal(h.shape, w.shape) || !bytes.Equal(h.data, w.data) {
					t.Fatalf("%s: fused gives %v %v, separate %v %v", name, h.dt, h.shape, w.dt, w.shape)
				}
			}
			i := slices.Index(order, "model.layers.0.self_attn.q_proj.weight")
			if i < 0 || i+2 >= len(order) || order[i+1] != "model.layers.0.self_attn.k_proj.weight" ||
				order[i+2] != "model.layers.0.self_attn.v_proj.weight" {
				t.Errorf("order %v: want q, k, v from the fused tensor", order)
			}
		})
	}
}

// fuseQKV replaces attn_q, attn_k and attn_v by attn_qkv: GGML rows are
// outermost, so stacking rows is concatenating bytes.
func fuseQKV(kv []KV, ts []Tensor) ([]KV, []Tensor) {
	byName := map[string]Tensor{}
	for _, t := range ts {
		byName[t.Name] = t
	}
	var out []Tensor
	for _, t := range ts {
		prefix, kind, isQ := cutAttnQ(t.Name)
		switch {
		case isQ:
			k, v := byName[prefix+"attn_k."+kind], byName[prefix+"attn_v."+kind]
			dims := slices.Clone(t.Dims)
			dims[len(dims)-1] *= 3
			out = append(out, Tensor{prefix + "attn_qkv." + kind, t.Type, dims,
				slices.Concat(t.Data, k.Data, v.Data)})
		case bytes.Contains([]byte(t.Name), []byte(".attn_k.")), bytes.Contains([]byte(t.Name), []byte(".attn_v.")):
		default:
			out = append(out, t)
		}
	}
	return kv, out
}

func cutAttnQ(name string) (prefix, kind string, ok bool) {
	i := bytes.Index([]byte(name), []byte("attn_q."))
	if i < 0 {
		return "", "", false
	}
	return name[:i], name[i+len("attn_q."):], true
}

package weights

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"slices"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

func TestOpenSingleFile(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.BF16} {
		t.Run(dt.String(), func(t *testing.T) {
			ck, err := Open(tinySource(t, dt))
			if err != nil {
				t.Fatal(err)
			}
			defer ck.Close()
			cfg := ck.Config()
			if cfg.HeadDim != 16 || cfg.RotaryDim != 6 || cfg.NumLayers != 2 || cfg.BOSTokenID != 3 {
				t.Errorf("config %+v", cfg)
			}
			specs := cfg.Expected()
			if names := ck.Names(); len(names) != 5+14*2 || !slices.IsSorted(names) {
				t.Errorf("names %v", names)
			}
			for j, s := range specs {
				info, ok := ck.Info(s.Name)
				n := tensor.NumElements(s.Shape)
				if !ok || info.DType != dt || !slices.Equal(info.Shape, s.Shape) || info.Size != n*int64(dt.Size()) {
					t.Fatalf("%s: %+v %v", s.Name, info, ok)
				}
				vals, err := ck.ReadF32(s.Name)
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					if v != testValue(j, i) {
						t.Fatalf("%s[%d] = %v, want %v", s.Name, i, v, testValue(j, i))
					}
				}
				raw := make([]byte, info.Size)
				if err := ck.Read(s.Name, raw); err != nil {
					t.Fatal(err)
				}
				if j == 0 {
					checkFirstElement(t, dt, raw, testValue(0, 0))
				}
			}
		})
	}
}

// checkFirstElement decodes one element by hand, independently of
// tensor.DecodeF32: -2 is 0xC0000000 in F32, 0xC000 in F16 and BF16.
func checkFirstElement(t *testing.T, dt tensor.DType, raw []byte, want float32) {
	t.Helper()
	if want != -2 {
		t.Fatalf("test value %v, want -2", want)
	}
	var got uint32
	switch dt {
	case tensor.F32:
		got = binary.LittleEndian.Uint32(raw)
	default:
		got = uint32(binary.LittleEndian.Uint16(raw))
	}
	wantBits := map[tensor.DType]uint32{tensor.F32: math.Float32bits(-2), tensor.F16: 0xC000, tensor.BF16: 0xC000}[dt]
	if got != wantBits {
		t.Errorf("%v: first element bits %#x, want %#x", dt, got, wantBits)
	}
}

func TestReadErrors(t *testing.T) {
	ck, err := Open(tinySource(t, tensor.F16))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, ck.Read("lm_head.bias", make([]byte, 79)), "tensor lm_head.bias", "destination is 79 bytes, tensor is 80")
	wantErr(t, ck.Read("nope", nil), "unknown tensor nope")
	_, err = ck.ReadF32("model.layers.9.mlp.fc1.bias")
	wantErr(t, err, "unknown tensor model.layers.9.mlp.fc1.bias")
	if _, ok := ck.Info("nope"); ok {
		t.Error("Info of an unknown tensor")
	}
	if err := ck.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = ck.ReadF32("lm_head.bias")
	wantErr(t, err, "closed")
}

// editTensors rebuilds the tiny checkpoint after edit changes its tensors.
func editTensors(t *testing.T, cfg map[string]any, edit func([]NamedTensor) []NamedTensor) MemSource {
	ts := edit(tensorsFor(t, mustJSON(t, tinyConfig()), tensor.F32))
	return MemSource{ConfigFile: mustJSON(t, cfg), SingleFile: safetensorsBytes(t, ts)}
}

func TestOpenRotaryBufferIgnored(t *testing.T) {
	src := editTensors(t, tinyConfig(), func(ts []NamedTensor) []NamedTensor {
		return append(ts, NamedTensor{"model.layers.0.self_attn.rotary_emb.inv_freq", tensor.F32, []int{3}, make([]byte, 12)})
	})
	ck, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	if _, ok := ck.Info("model.layers.0.self_attn.rotary_emb.inv_freq"); ok || len(ck.Names()) != 33 {
		t.Errorf("rotary buffer kept: %d names", len(ck.Names()))
	}
}

func TestOpenMismatch(t *testing.T) {
	drop := func(name string) func([]NamedTensor) []NamedTensor {
		return func(ts []NamedTensor) []NamedTensor {
			return slices.DeleteFunc(ts, func(nt NamedTensor) bool { return nt.Name == name })
		}
	}
	keep := func(ts []NamedTensor) []NamedTensor { return ts }
	withCfg := func(key string, v any) map[string]any {
		c := tinyConfig()
		c[key] = v
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  map[string]any
		edit func([]NamedTensor) []NamedTensor
		want []string
	}{
		{"missing tensor", tinyConfig(), drop("model.layers.1.mlp.fc2.bias"), []string{"missing tensor model.layers.1.mlp.fc2.bias"}},
		{"wrong shape", tinyConfig(), func(ts []NamedTensor) []NamedTensor {
			for i := range ts {
				if ts[i].Name == "model.layers.1.mlp.fc1.weight" {
					ts[i].Shape = []int{32, 64}
				}
			}
			return ts
		}, []string{"model.safetensors: tensor model.layers.1.mlp.fc1.weight: shape [32 64], config wants [64 32]"}},
		{"unexpected tensor", tinyConfig(), func(ts []NamedTensor) []NamedTensor {
			return append(ts, NamedTensor{"model.layers.0.self_attn.q_layernorm.weight", tensor.F32, []int{16}, make([]byte, 64)})
		}, []string{"model.safetensors: unexpected tensor model.layers.0.self_attn.q_layernorm.weight"}},
		{"config has more layers", withCfg("num_hidden_layers", 3), keep, []string{"missing tensor model.layers.2.input_layernorm.weight"}},
		{"config has fewer layers", withCfg("num_hidden_layers", 1), keep, []string{"unexpected tensor model.layers.1."}},
		{"config has other width", withCfg("intermediate_size", 128), keep,
			[]string{"tensor model.layers.0.mlp.fc1.weight: shape [64 32], config wants [128 32]"}},
		{"config has other vocab", withCfg("vocab_size", 41), keep,
			[]string{"tensor model.embed_tokens.weight: shape [40 32], config wants [41 32]"}},
		{"bad config", withCfg("num_key_value_heads", 1), keep, []string{"config.json: num_key_value_heads = 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ck, err := Open(editTensors(t, tc.cfg, tc.edit))
			if ck != nil {
				t.Error("got a checkpoint along with the error")
			}
			wantErr(t, err, tc.want...)
		})
	}
}

func TestOpenMissingFiles(t *testing.T) {
	src := tinySource(t, tensor.F32)
	_, err := Open(MemSource{SingleFile: src[SingleFile]})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no config: %v", err)
	}
	wantErr(t, err, "config.json")
	_, err = Open(MemSource{ConfigFile: src[ConfigFile]})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no weights: %v", err)
	}
	wantErr(t, err, "neither model.safetensors nor model.safetensors.index.json")

	// A truncated weights file is caught by the header check.
	_, err = Open(MemSource{ConfigFile: src[ConfigFile], SingleFile: src[SingleFile][:len(src[SingleFile])-1]})
	wantErr(t, err, "model.safetensors: header: tensor model.layers.1.self_attn.v_proj.weight", "run past the end")
}

package weights

import (
	"strings"
	"testing"
)

// phi2Config has the keys and values of microsoft/phi-2's config.json (§1),
// with the null token ids of its first HF-format revision.
const phi2Config = `{
  "_name_or_path": "microsoft/phi-2",
  "architectures": ["PhiForCausalLM"],
  "attention_dropout": 0.0,
  "bos_token_id": null,
  "embd_pdrop": 0.0,
  "eos_token_id": null,
  "hidden_act": "gelu_new",
  "hidden_size": 2560,
  "initializer_range": 0.02,
  "intermediate_size": 10240,
  "layer_norm_eps": 1e-05,
  "max_position_embeddings": 2048,
  "model_type": "phi",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 32,
  "partial_rotary_factor": 0.4,
  "qk_layernorm": false,
  "resid_pdrop": 0.1,
  "rope_scaling": null,
  "rope_theta": 10000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.37.0",
  "use_cache": true,
  "vocab_size": 51200
}`

var phi2Want = Config{
	VocabSize: 51200, HiddenSize: 2560, IntermediateSize: 10240, NumLayers: 32,
	NumHeads: 32, NumKVHeads: 32, HeadDim: 80, RotaryDim: 32, PartialRotaryFactor: 0.4,
	RopeTheta: 10000, LayerNormEps: 1e-5, MaxPositions: 2048, BOSTokenID: -1, EOSTokenID: -1,
	HiddenAct: "gelu_new",
}

func TestParseConfigPhi2(t *testing.T) {
	c, err := ParseConfig([]byte(phi2Config))
	if err != nil {
		t.Fatal(err)
	}
	if c != phi2Want {
		t.Errorf("got %+v\nwant %+v", c, phi2Want)
	}
}

func TestParseConfigRopeParameters(t *testing.T) {
	// transformers v5 style: rope settings nested, token ids set.
	v5 := strings.Replace(phi2Config, `"partial_rotary_factor": 0.4,`, "", 1)
	v5 = strings.Replace(v5, `"rope_theta": 10000.0,`,
		`"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.4},`, 1)
	v5 = strings.ReplaceAll(v5, `_token_id": null`, `_token_id": 50256`)
	c, err := ParseConfig([]byte(v5))
	if err != nil {
		t.Fatal(err)
	}
	want := phi2Want
	want.BOSTokenID, want.EOSTokenID = 50256, 50256
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}

	// Nested values win over the defaults, not just match them.
	c, err = ParseConfig([]byte(`{"hidden_size": 64, "num_attention_heads": 4,
		"rope_parameters": {"rope_theta": 500.0, "partial_rotary_factor": 0.25}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.RopeTheta != 500 || c.PartialRotaryFactor != 0.25 || c.RotaryDim != 4 {
		t.Errorf("theta %v factor %v rotary %d, want 500 0.25 4", c.RopeTheta, c.PartialRotaryFactor, c.RotaryDim)
	}

	// Both places, agreeing.
	both := strings.Replace(phi2Config, `"rope_scaling": null,`,
		`"rope_parameters": {"rope_theta": 10000, "partial_rotary_factor": 0.4},`, 1)
	if c, err := ParseConfig([]byte(both)); err != nil || c != phi2Want {
		t.Errorf("agreeing top-level and nested values: %+v, %v", c, err)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := ParseConfig([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		VocabSize: 51200, HiddenSize: 2048, IntermediateSize: 8192, NumLayers: 24,
		NumHeads: 32, NumKVHeads: 32, HeadDim: 64, RotaryDim: 32, PartialRotaryFactor: 0.5,
		RopeTheta: 10000, LayerNormEps: 1e-5, MaxPositions: 2048, BOSTokenID: -1, EOSTokenID: -1,
		HiddenAct: "gelu_new",
	}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	// num_key_value_heads null means "same as heads", as in HF.
	c, err = ParseConfig([]byte(`{"num_attention_heads": 16, "num_key_value_heads": null}`))
	if err != nil || c.NumKVHeads != 16 || c.HeadDim != 128 {
		t.Errorf("kv heads %d head_dim %d err %v, want 16 128", c.NumKVHeads, c.HeadDim, err)
	}
}

func TestRotaryDim(t *testing.T) {
	for _, tc := range []struct {
		hidden, heads int
		factor        float64
		want          int
	}{
		{64, 4, 0.4, 6},     // tiny model: int(16·0.4) = int(6.4)
		{2560, 32, 0.4, 32}, // phi-2: 80·0.4 = 32.0 exactly
		{2048, 32, 0.5, 32}, // phi-1 defaults
		{96, 4, 1, 24},
		{300, 3, 0.3, 30},  // 100·0.3 = 30.000000000000004 in binary64
		{200, 2, 0.57, 56}, // 100·0.57 = 56.99999999999999 truncates to 56, not 57
	} {
		cfg := mustJSON(t, map[string]any{"hidden_size": tc.hidden, "num_attention_heads": tc.heads,
			"partial_rotary_factor": tc.factor})
		c, err := ParseConfig(cfg)
		if err != nil {
			t.Errorf("%s: %v", cfg, err)
			continue
		}
		if c.RotaryDim != tc.want || c.HeadDim != tc.hidden/tc.heads {
			t.Errorf("%s: rotary_dim %d head_dim %d, want %d %d", cfg, c.RotaryDim, c.HeadDim, tc.want, tc.hidden/tc.heads)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		json string
		want []string
	}{
		{`[1]`, []string{"config.json", "want a JSON object"}},
		{`{"hidden_size": 64`, []string{"config.json", "invalid JSON"}},
		{`{"hidden_size": 64, "hidden_size": 32}`, []string{"duplicate key hidden_size"}},
		{`{"model_type": "llama"}`, []string{"model_type", "llama"}},
		{`{"hidden_size": "64"}`, []string{`hidden_size = "64": want an integer`}},
		{`{"hidden_size": 64.5}`, []string{"hidden_size = 64.5", "integer"}},
		{`{"hidden_size": 1e40}`, []string{"hidden_size = 1e40"}},
		{`{"vocab_size": 0}`, []string{"vocab_size = 0", "positive"}},
		{`{"num_hidden_layers": -2}`, []string{"num_hidden_layers = -2", "positive"}},
		{`{"num_hidden_layers": 100000000}`, []string{"num_hidden_layers: layer count 100000000 is larger than 1024, the most this engine supports"}},
		{`{"max_position_embeddings": 2147483647}`, []string{"max_position_embeddings: context length 2147483647 is larger than 1048576, the most this engine supports"}},
		{`{"max_position_embeddings": 1048577}`, []string{"context length 1048577 is larger than 1048576"}},
		{`{"vocab_size": 100000000000}`, []string{"vocab_size = 100000000000", "below 2^31"}},
		{`{"vocab_size": 2000000}`, []string{"vocab_size: vocabulary size 2000000 is larger than 1048576"}},
		{`{"hidden_size": 131072, "num_attention_heads": 32}`, []string{"hidden_size: hidden size 131072 is larger than 65536"}},
		{`{"intermediate_size": 1000000}`, []string{"intermediate_size: intermediate size 1000000 is larger than 262144"}},
		{`{"num_attention_heads": 8192, "hidden_size": 65536}`, []string{"num_attention_heads: attention head count 8192 is larger than 4096"}},
		{`{"hidden_size": 65536, "intermediate_size": 262144, "num_hidden_layers": 1024}`,
			[]string{"parameter count 52", "is larger than 17179869184, the most this engine supports"}},
		{`{"hidden_size": 100, "num_attention_heads": 3}`, []string{"hidden_size = 100", "num_attention_heads = 3"}},
		{`{"num_key_value_heads": 8}`, []string{"num_key_value_heads = 8", "grouped-query attention"}},
		{`{"head_dim": 96}`, []string{"head_dim = 96"}},
		{`{"hidden_act": "gelu"}`, []string{"hidden_act", "gelu", "gelu_new"}},
		{`{"hidden_act": "a\u0000b"}`, []string{`hidden_act = "a\x00b"`}},
		{`{"model_type": "` + strings.Repeat("é", 30) + `"}`, []string{"model_type = \"" + strings.Repeat("é", 20) + "..."}},
		{`{"hidden_act": 3}`, []string{"hidden_act = 3", "string"}},
		{`{"qk_layernorm": true}`, []string{"qk_layernorm = true", "not supported"}},
		{`{"tie_word_embeddings": true}`, []string{"tie_word_embeddings = true", "not supported"}},
		{`{"tie_word_embeddings": 1}`, []string{"tie_word_embeddings = 1"}},
		{`{"partial_rotary_factor": 0}`, []string{"partial_rotary_factor = 0"}},
		{`{"partial_rotary_factor": 1.5}`, []string{"partial_rotary_factor = 1.5", "head_dim"}},
		{`{"partial_rotary_factor": 0.01}`, []string{"partial_rotary_factor = 0.01", "rotary_dim", "= 0", "positive"}},
		{`{"hidden_size": 64, "num_attention_heads": 4, "partial_rotary_factor": 0.45}`,
			[]string{"partial_rotary_factor = 0.45", "int(16 · 0.45) = 7", "even"}},
		{`{"rope_theta": -1}`, []string{"rope_theta = -1", "positive"}},
		{`{"rope_theta": 10000, "rope_parameters": {"rope_theta": 500}}`,
			[]string{"rope_theta = 10000", "500", "rope_parameters"}},
		{`{"rope_parameters": {"rope_type": "linear", "factor": 2}}`, []string{"rope_parameters.rope_type", "linear"}},
		{`{"rope_parameters": {"partial_rotary_factor": "x"}}`, []string{"rope_parameters.partial_rotary_factor", "x"}},
		{`{"rope_parameters": 7}`, []string{"rope_parameters", "object"}},
		{`{"rope_scaling": {"type": "dynamic", "factor": 2.0}}`, []string{"rope_scaling.type", "dynamic"}},
		{`{"rope_scaling": {"factor": 2.0}}`, []string{"rope_scaling", "not supported"}},
		{`{"layer_norm_eps": 0}`, []string{"layer_norm_eps = 0", "positive"}},
		{`{"bos_token_id": 51200}`, []string{"bos_token_id = 51200", "vocabulary"}},
		{`{"eos_token_id": -5}`, []string{"eos_token_id = -5"}},
	} {
		_, err := ParseConfig([]byte(tc.json))
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.json, tc.want)
			continue
		}
		for _, w := range append([]string{"config.json: "}, tc.want...) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.json, err, w)
			}
		}
	}
}

func TestValidateHandBuilt(t *testing.T) {
	if err := phi2Want.Validate(); err != nil {
		t.Fatalf("phi-2 config: %v", err)
	}
	c := phi2Want
	c.RotaryDim = 40
	wantErr(t, c.Validate(), "config: rotary_dim = 40", "is 32")
	c = phi2Want
	c.HeadDim = 64
	wantErr(t, c.Validate(), "head_dim = 64")
}

// TestParametersCountsExpected checks the closed form against the tensors
// Expected lists, for Phi-2 (2.78 billion) and the smallest model.
func TestParametersCountsExpected(t *testing.T) {
	small := Config{VocabSize: 3, HiddenSize: 4, IntermediateSize: 5, NumLayers: 2, NumHeads: 2, NumKVHeads: 2, HeadDim: 2}
	for _, c := range []Config{phi2Want, small} {
		var want int64
		for _, s := range c.Expected() {
			n := int64(1)
			for _, d := range s.Shape {
				n *= int64(d)
			}
			want += n
		}
		if got := c.Parameters(); got != want {
			t.Errorf("%+v: Parameters() = %d, Expected holds %d", c, got, want)
		}
	}
	if got := phi2Want.Parameters(); got != 2779683840 {
		t.Errorf("Phi-2 has %d parameters, want 2779683840", got)
	}
}

package weights

import (
	"slices"
	"testing"
)

func TestExpectedPhi2(t *testing.T) {
	specs := phi2Want.Expected()
	// The §2 table lists 1 + 14·L + 2 + 2 tensors; its "4 + 32·14 = 452"
	// undercounts, while its parameter count (checked below) includes all 453.
	if len(specs) != 5+14*32 {
		t.Fatalf("%d tensors, want 453", len(specs))
	}
	seen := map[string]bool{}
	var params int64
	for _, s := range specs {
		if seen[s.Name] {
			t.Errorf("duplicate %s", s.Name)
		}
		seen[s.Name] = true
		n := int64(1)
		for _, d := range s.Shape {
			n *= int64(d)
		}
		params += n
	}
	if params != 2_779_683_840 { // §2 parameter count
		t.Errorf("%d parameters, want 2779683840", params)
	}
	shapes := map[string][]int{
		"model.embed_tokens.weight":               {51200, 2560},
		"model.layers.0.input_layernorm.bias":     {2560},
		"model.layers.31.self_attn.q_proj.weight": {2560, 2560},
		"model.layers.7.self_attn.dense.weight":   {2560, 2560},
		"model.layers.3.mlp.fc1.weight":           {10240, 2560},
		"model.layers.3.mlp.fc1.bias":             {10240},
		"model.layers.3.mlp.fc2.weight":           {2560, 10240},
		"model.final_layernorm.weight":            {2560},
		"lm_head.weight":                          {51200, 2560},
		"lm_head.bias":                            {51200},
		"model.layers.12.self_attn.v_proj.bias":   {2560},
		"model.layers.30.input_layernorm.weight":  {2560},
		"model.layers.0.self_attn.k_proj.weight":  {2560, 2560},
		"model.layers.31.mlp.fc2.bias":            {2560},
		"model.layers.15.self_attn.dense.bias":    {2560},
		"model.layers.9.self_attn.q_proj.bias":    {2560},
		"model.layers.9.self_attn.k_proj.bias":    {2560},
		"model.layers.9.self_attn.v_proj.weight":  {2560, 2560},
		"model.layers.0.input_layernorm.weight":   {2560},
		"model.final_layernorm.bias":              {2560},
	}
	for _, s := range specs {
		if want, ok := shapes[s.Name]; ok {
			if !slices.Equal(s.Shape, want) {
				t.Errorf("%s: %v, want %v", s.Name, s.Shape, want)
			}
			delete(shapes, s.Name)
		}
	}
	for name := range shapes {
		t.Errorf("%s not listed", name)
	}
	if specs[0].Name != "model.embed_tokens.weight" || specs[len(specs)-1].Name != "lm_head.bias" {
		t.Errorf("order: first %s, last %s", specs[0].Name, specs[len(specs)-1].Name)
	}
}

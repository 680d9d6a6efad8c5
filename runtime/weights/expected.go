package weights

import "fmt"

// Spec names one tensor a checkpoint must hold and its shape.
type Spec struct {
	Name  string
	Shape []int
}

// Expected lists every tensor of a Hugging Face Phi checkpoint for c, with
// its shape (nn.Linear weights are [out, in]): 5 + 14·NumLayers tensors, in
// the order embedding, layers 0..L-1, final LayerNorm, lm_head.
func (c Config) Expected() []Spec {
	d, ff, v := c.HiddenSize, c.IntermediateSize, c.VocabSize
	q := c.NumHeads * c.HeadDim
	kv := c.NumKVHeads * c.HeadDim
	specs := make([]Spec, 0, 5+14*max(c.NumLayers, 0))
	add := func(name string, shape ...int) { specs = append(specs, Spec{name, shape}) }

	add("model.embed_tokens.weight", v, d)
	for l := range c.NumLayers {
		p := fmt.Sprintf("model.layers.%d.", l)
		add(p+"input_layernorm.weight", d)
		add(p+"input_layernorm.bias", d)
		add(p+"self_attn.q_proj.weight", q, d)
		add(p+"self_attn.q_proj.bias", q)
		add(p+"self_attn.k_proj.weight", kv, d)
		add(p+"self_attn.k_proj.bias", kv)
		add(p+"self_attn.v_proj.weight", kv, d)
		add(p+"self_attn.v_proj.bias", kv)
		add(p+"self_attn.dense.weight", d, q)
		add(p+"self_attn.dense.bias", d)
		add(p+"mlp.fc1.weight", ff, d)
		add(p+"mlp.fc1.bias", ff)
		add(p+"mlp.fc2.weight", d, ff)
		add(p+"mlp.fc2.bias", d)
	}
	add("model.final_layernorm.weight", d)
	add("model.final_layernorm.bias", d)
	add("lm_head.weight", v, d)
	add("lm_head.bias", v)
	return specs
}

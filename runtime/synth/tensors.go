package synth

import (
	"fmt"
	"math"
	"sort"
)

// tensorSpec is one checkpoint tensor and where its values sit in the
// splitmix64 stream.
type tensorSpec struct {
	name          string
	shape         []int
	scale, offset float64
	first         uint64 // stream index of the first element
}

func (t tensorSpec) numElements() uint64 {
	n := uint64(1)
	for _, d := range t.shape {
		n *= uint64(d)
	}
	return n
}

// tensors lists the checkpoint in generation order (spec §7), which is not
// the order of the file: the file sorts by name.
func (o Options) tensors() []tensorSpec {
	d, inter := o.Hidden, o.Intermediate
	var out []tensorSpec
	add := func(name string, scale, offset float64, shape ...int) {
		out = append(out, tensorSpec{name: name, shape: shape, scale: scale, offset: offset})
	}
	linear := func(name string, out, in int) {
		add(name+".weight", math.Sqrt(3/float64(in)), 0, out, in)
		add(name+".bias", 0.1, 0, out)
	}
	norm := func(name string) {
		add(name+".weight", 0.2, 1, d)
		add(name+".bias", 0.1, 0, d)
	}
	add("model.embed_tokens.weight", 1, 0, o.Vocab, d)
	for l := 0; l < o.Layers; l++ {
		p := fmt.Sprintf("model.layers.%d.", l)
		norm(p + "input_layernorm")
		for _, proj := range []string{"q_proj", "k_proj", "v_proj", "dense"} {
			linear(p+"self_attn."+proj, d, d)
		}
		linear(p+"mlp.fc1", inter, d)
		linear(p+"mlp.fc2", d, inter)
	}
	norm("model.final_layernorm")
	linear("lm_head", o.Vocab, d)

	var k uint64
	for i := range out {
		out[i].first = k
		k += out[i].numElements()
	}
	return out
}

// fileOrder returns the tensors sorted by name, as they are laid out in
// model.safetensors.
func fileOrder(ts []tensorSpec) []tensorSpec {
	sorted := append([]tensorSpec(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	return sorted
}

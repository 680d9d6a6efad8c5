// Package synth writes deterministic synthetic Phi checkpoints: a Hugging
// Face style config.json and model.safetensors whose values follow the
// splitmix64 recipe of the project's Phi-2 specification (§7), so that any
// language can regenerate them bit for bit.
//
// The checkpoint is generated and written tensor by tensor in bounded memory,
// so a full-size Phi-2-shape file (2.78 billion parameters) can be written as
// easily as the tiny test model of [Tiny].
//
// It also loads the goldens of testdata/goldens (see [LoadGoldens]), values an
// independent reference computed on these checkpoints.
package synth

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Options selects the shape, seed and storage type of a synthetic checkpoint.
type Options struct {
	Seed                                       uint64
	Vocab, Hidden, Layers, Heads, Intermediate int
	PartialRotaryFactor                        float64
	DType                                      tensor.DType
	MaxPositions                               int
	RopeTheta                                  float64
}

// Tiny returns the default tiny test model: vocab 51200, hidden 64, 2 layers,
// 4 heads of 16, intermediate 256, partial rotary factor 0.4 (rotary dim 6),
// seed 1, F32.
func Tiny() Options {
	return Options{
		Seed: 1, Vocab: 51200, Hidden: 64, Layers: 2, Heads: 4, Intermediate: 256,
		PartialRotaryFactor: 0.4, DType: tensor.F32, MaxPositions: 2048, RopeTheta: 10000,
	}
}

// Phi2 returns the shape of microsoft/phi-2 (F16 storage, seed 1).
func Phi2() Options {
	return Options{
		Seed: 1, Vocab: 51200, Hidden: 2560, Layers: 32, Heads: 32, Intermediate: 10240,
		PartialRotaryFactor: 0.4, DType: tensor.F16, MaxPositions: 2048, RopeTheta: 10000,
	}
}

// RotaryDim is int(head_dim · partial_rotary_factor), truncated as HF does.
func (o Options) RotaryDim() int {
	if o.Heads <= 0 {
		return 0
	}
	return int(float64(o.Hidden/o.Heads) * o.PartialRotaryFactor)
}

// Validate reports the first option a Phi model cannot have, or that is
// beyond the engine's limits (weights.Limits): Write and FileSize would
// otherwise be as large as the options ask.
func (o Options) Validate() error {
	for _, f := range []struct {
		name  string
		v     int
		limit weights.Limit
	}{{"Vocab", o.Vocab, weights.MaxVocab}, {"Hidden", o.Hidden, weights.MaxHidden}, {"Layers", o.Layers, weights.MaxLayers},
		{"Heads", o.Heads, weights.MaxHeads}, {"Intermediate", o.Intermediate, weights.MaxIntermediate},
		{"MaxPositions", o.MaxPositions, weights.MaxContext}} {
		if f.v <= 0 {
			return fmt.Errorf("synth: %s = %d, want a positive size", f.name, f.v)
		}
		if err := f.limit.Check(int64(f.v)); err != nil {
			return fmt.Errorf("synth: %s: %v", f.name, err)
		}
	}
	if o.Hidden%o.Heads != 0 {
		return fmt.Errorf("synth: Hidden %d is not a multiple of Heads %d", o.Hidden, o.Heads)
	}
	if err := weights.MaxParameters.Check(o.config().Parameters()); err != nil {
		return fmt.Errorf("synth: %v", err)
	}
	if !(o.PartialRotaryFactor > 0 && o.PartialRotaryFactor <= 1) {
		return fmt.Errorf("synth: PartialRotaryFactor %g is not in (0, 1]", o.PartialRotaryFactor)
	}
	if r := o.RotaryDim(); r <= 0 || r%2 != 0 {
		return fmt.Errorf("synth: rotary dim int(%d·%g) = %d, want a positive even number",
			o.Hidden/o.Heads, o.PartialRotaryFactor, r)
	}
	if !(o.RopeTheta > 0) {
		return fmt.Errorf("synth: RopeTheta %g, want a positive number", o.RopeTheta)
	}
	switch o.DType {
	case tensor.F32, tensor.F16, tensor.BF16:
	default:
		return fmt.Errorf("synth: DType %v, want F32, F16 or BF16", o.DType)
	}
	widest := int64(max(o.Vocab, o.Intermediate, o.Hidden)) * int64(o.Hidden) * int64(o.DType.Size())
	if err := weights.MaxTensorBytes.Check(widest); err != nil {
		return fmt.Errorf("synth: %v", err)
	}
	return nil
}

// config is the configuration o describes, as far as sizes go.
func (o Options) config() weights.Config {
	return weights.Config{VocabSize: o.Vocab, HiddenSize: o.Hidden, IntermediateSize: o.Intermediate,
		NumLayers: o.Layers, NumHeads: o.Heads, NumKVHeads: o.Heads, HeadDim: o.Hidden / o.Heads}
}

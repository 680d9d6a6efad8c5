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

// validate reports the first option a Phi model cannot have.
func (o Options) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"Vocab", o.Vocab}, {"Hidden", o.Hidden}, {"Layers", o.Layers}, {"Heads", o.Heads},
		{"Intermediate", o.Intermediate}, {"MaxPositions", o.MaxPositions}} {
		if f.v <= 0 {
			return fmt.Errorf("synth: %s = %d, want a positive size", f.name, f.v)
		}
	}
	if o.Hidden%o.Heads != 0 {
		return fmt.Errorf("synth: Hidden %d is not a multiple of Heads %d", o.Hidden, o.Heads)
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
	return nil
}

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// runSynth writes a deterministic random checkpoint in Hugging Face layout,
// the input of tests and benchmarks until real weights are at hand.
func runSynth(args []string, stdout io.Writer) error {
	fs := newFlags("synth")
	out := fs.String("out", "", "directory to write config.json and model.safetensors into")
	shape := fs.String("shape", "tiny", "base shape: tiny (the spec's test model) or phi2 (2.78 B parameters)")
	seed := fs.Uint64("seed", 1, "seed of the weights")
	dtype := fs.String("dtype", "", "weight type: F32, F16 or BF16 (default F32 for tiny, F16 for phi2)")
	var o synth.Options
	fs.IntVar(&o.Vocab, "vocab", 0, "vocabulary size (0: the shape's)")
	fs.IntVar(&o.Hidden, "hidden", 0, "hidden size (0: the shape's)")
	fs.IntVar(&o.Layers, "layers", 0, "number of layers (0: the shape's)")
	fs.IntVar(&o.Heads, "heads", 0, "number of attention heads (0: the shape's)")
	fs.IntVar(&o.Intermediate, "intermediate", 0, "MLP size (0: the shape's)")
	fs.Float64Var(&o.PartialRotaryFactor, "partial-rotary-factor", 0, "share of each head that is rotated (0: the shape's)")
	registerQuiet(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageErr("--out is required")
	}
	var base synth.Options
	switch *shape {
	case "tiny":
		base = synth.Tiny()
	case "phi2":
		base = synth.Phi2()
	default:
		return usageErr("--shape %q: want tiny or phi2", *shape)
	}
	base.Seed = *seed
	override(&base.Vocab, o.Vocab)
	override(&base.Hidden, o.Hidden)
	override(&base.Layers, o.Layers)
	override(&base.Heads, o.Heads)
	override(&base.Intermediate, o.Intermediate)
	if o.PartialRotaryFactor != 0 {
		base.PartialRotaryFactor = o.PartialRotaryFactor
	}
	if *dtype != "" {
		dt, err := tensor.ParseFloatDType(*dtype)
		if err != nil {
			return usageErr("--dtype: %v", err)
		}
		base.DType = dt
	}
	if err := base.Validate(); err != nil { // every option is a flag's
		return usageErr("%s", strings.TrimPrefix(err.Error(), "synth: "))
	}
	bar := newProgressBar("synth", synth.FileSize(base))
	if err := synth.WriteProgress(*out, base, bar.update); err != nil {
		return err
	}
	bar.finish()
	_, err := fmt.Fprintf(stdout, "{\"out\":%q}\n", *out)
	return err
}

func override(dst *int, v int) {
	if v != 0 {
		*dst = v
	}
}

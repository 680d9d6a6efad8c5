package main

import (
	"fmt"
	"io"

	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// runSynth writes a deterministic random checkpoint in Hugging Face layout,
// the input of tests and benchmarks until real weights are at hand.
func runSynth(args []string, stdout io.Writer) error {
	fs := newFlags("synth")
	o := synth.Tiny()
	out := fs.String("out", "", "directory to write config.json and model.safetensors into")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the weights")
	fs.IntVar(&o.Vocab, "vocab", o.Vocab, "vocabulary size")
	fs.IntVar(&o.Hidden, "hidden", o.Hidden, "hidden size")
	fs.IntVar(&o.Layers, "layers", o.Layers, "number of layers")
	fs.IntVar(&o.Heads, "heads", o.Heads, "number of attention heads")
	fs.IntVar(&o.Intermediate, "intermediate", o.Intermediate, "MLP size")
	fs.Float64Var(&o.PartialRotaryFactor, "partial-rotary-factor", o.PartialRotaryFactor, "share of each head that is rotated")
	dtype := fs.String("dtype", "F32", "weight type: F32, F16 or BF16")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageErr("--out is required")
	}
	dt, err := tensor.ParseDType(*dtype)
	if err != nil {
		return usageErr("--dtype: %v", err)
	}
	o.DType = dt
	if err := synth.Write(*out, o); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "{\"out\":%q}\n", *out)
	return err
}

package synth

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// TestWeightsPackageOpensSynthCheckpoint checks that the checkpoint loader
// accepts what Write produces, config and tensors alike.
func TestWeightsPackageOpensSynthCheckpoint(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, odd); err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	c := ck.Config()
	got := []int{c.VocabSize, c.HiddenSize, c.NumLayers, c.NumHeads, c.NumKVHeads,
		c.IntermediateSize, c.HeadDim, c.RotaryDim, c.MaxPositions, c.BOSTokenID, c.EOSTokenID}
	want := []int{300, 24, 3, 2, 2, 40, 12, 6, 512, -1, -1} // -1: null, 50256 is past the vocabulary
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("config sizes %v, want %v", got, want)
		}
	}
	if c.RopeTheta != 5000 || c.PartialRotaryFactor != 0.5 || c.LayerNormEps != 1e-5 {
		t.Errorf("config rope_theta %g, factor %g, eps %g", c.RopeTheta, c.PartialRotaryFactor, c.LayerNormEps)
	}
	if n := len(ck.Names()); n != 5+14*odd.Layers {
		t.Errorf("%d tensors, want %d", n, 5+14*odd.Layers)
	}
	info, ok := ck.Info("model.layers.2.mlp.fc1.weight")
	if !ok || info.DType != tensor.BF16 || len(info.Shape) != 2 || info.Shape[0] != 40 || info.Shape[1] != 24 {
		t.Errorf("fc1 info %+v (found %v), want BF16 [40 24]", info, ok)
	}
	norm, err := ck.ReadF32("model.final_layernorm.weight")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range norm { // offset 1, scale 0.2
		if v < 0.8 || v > 1.2 {
			t.Errorf("final_layernorm.weight[%d] = %v, outside [0.8, 1.2]", i, v)
		}
	}
}

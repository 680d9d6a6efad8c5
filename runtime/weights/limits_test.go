package weights

import "testing"

// TestLimitCheck: a value at a limit passes, one above fails with a message
// naming the value, the limit and its unit.
func TestLimitCheck(t *testing.T) {
	for _, l := range Limits {
		if err := l.Check(l.Max); err != nil {
			t.Errorf("%s at its maximum: %v", l.What, err)
		}
		if l.Check(l.Max+1) == nil {
			t.Errorf("%s above its maximum passes", l.What)
		}
	}
	if err := MaxContext.Check(2147483647); err == nil || err.Error() != "context length 2147483647 is larger than 1048576, the most this engine supports" {
		t.Errorf("context: %v", err)
	}
	if err := MaxTensorBytes.Check(1 << 31); err == nil || err.Error() != "tensor size 2147483648 bytes is larger than 1073741824 bytes, the most this engine supports" {
		t.Errorf("tensor bytes: %v", err)
	}
	if err := MaxTextBytes.Passed(); err.Error() != "size of a text to score is larger than 33554432 bytes, the most this engine supports" {
		t.Errorf("a stream past the limit: %v", err)
	}
}

// TestLimitsHoldPhi2: the limits leave room for the model the engine is for.
func TestLimitsHoldPhi2(t *testing.T) {
	c := phi2Want
	for _, v := range []struct {
		l Limit
		v int64
	}{{MaxContext, int64(c.MaxPositions)}, {MaxVocab, int64(c.VocabSize)}, {MaxLayers, int64(c.NumLayers)},
		{MaxHidden, int64(c.HiddenSize)}, {MaxIntermediate, int64(c.IntermediateSize)}, {MaxHeads, int64(c.NumHeads)},
		{MaxParameters, c.Parameters()}, {MaxTensorBytes, 4 * int64(c.VocabSize) * int64(c.HiddenSize)}} {
		if err := v.l.Check(2 * v.v); err != nil {
			t.Errorf("twice Phi-2's: %v", err)
		}
	}
}

package convert

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// tensors collects a loader's tensors by name.
func tensors(t *testing.T, l weights.Loader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := l.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		out[name+"/"+dt.String()] = bytes.Clone(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestQuantizedEqualsConversion: loading with in-flight quantization gives
// exactly the tensors (names, dtypes, bytes) a conversion stores.
func TestQuantizedEqualsConversion(t *testing.T) {
	mem, err := synth.Memory(synth.Tiny())
	if err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	for _, q := range []tensor.DType{tensor.Q4, tensor.Q8, tensor.F16} {
		dir := filepath.Join(t.TempDir(), q.String())
		if err := Run(ck, dir, Options{Quant: q}); err != nil {
			t.Fatal(err)
		}
		md, err := modeldir.Open(weights.Dir(dir))
		if err != nil {
			t.Fatal(err)
		}
		inflight, err := Quantized(ck, Options{Quant: q})
		if err != nil {
			t.Fatal(err)
		}
		want, got := tensors(t, md), tensors(t, inflight)
		if len(got) != len(want) {
			t.Fatalf("%v: %d tensors, conversion stores %d", q, len(got), len(want))
		}
		for k, w := range want {
			if !bytes.Equal(got[k], w) {
				t.Errorf("%v: tensor %s differs from the converted one", q, k)
			}
		}
	}
}

func TestQuantizedRefusesRequantizing(t *testing.T) {
	mem, err := synth.Memory(synth.Tiny())
	if err != nil {
		t.Fatal(err)
	}
	ck, err := weights.Open(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	q4, _ := Quantized(ck, Options{Quant: tensor.Q4})
	q8, _ := Quantized(q4, Options{Quant: tensor.Q8})
	err = q8.Each(func(string, tensor.DType, []int, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "stored as Q4") {
		t.Fatalf("Q8 from Q4: %v, want a refusal naming the stored Q4", err)
	}
	if _, err := Quantized(ck, Options{Quant: tensor.BF16}); err == nil {
		t.Error("BF16 accepted as a quantization")
	}
}

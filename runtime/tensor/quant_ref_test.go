package tensor

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestQuantizeMatchesPython compares Quantize with the independent Python
// encoder in testdata/quant_ref.py, whose output is testdata/quant_ref.json.
func TestQuantizeMatchesPython(t *testing.T) {
	raw, err := os.ReadFile("testdata/quant_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Rows, Cols int
		Input      string `json:"input_f32"`
		F16, BF16  string
		Q8, Q4     string
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	in, err := hex.DecodeString(ref.Input)
	if err != nil || len(in) != 4*ref.Rows*ref.Cols {
		t.Fatalf("input: %d bytes, %v", len(in), err)
	}
	w := make([]float32, ref.Rows*ref.Cols)
	for i := range w {
		w[i] = math.Float32frombits(binary.LittleEndian.Uint32(in[4*i:]))
	}
	for dt, want := range map[DType]string{F32: ref.Input, F16: ref.F16, BF16: ref.BF16, Q8: ref.Q8, Q4: ref.Q4} {
		got := hex.EncodeToString(Quantize(dt, w, ref.Rows, ref.Cols))
		if got != want {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Errorf("%s: first difference at byte %d: got …%s…, want …%s…", dt, i/2, got[i&^1:min(i&^1+16, len(got))], want[i&^1:min(i&^1+16, len(want))])
					break
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d bytes, want %d", dt, len(got)/2, len(want)/2)
			}
		}
	}
}

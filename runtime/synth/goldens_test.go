package synth

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/weights"
)

const goldensPath = "../../testdata/goldens/goldens.json"

// TestGoldensUseSynthCheckpoints cross-checks the two independent generators:
// the reference that computed the goldens hashed its own copy of each
// checkpoint, and Write must produce the very same bytes.
func TestGoldensUseSynthCheckpoints(t *testing.T) {
	goldens, err := LoadGoldens(goldensPath)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[Options]string{}
	for _, g := range goldens {
		o := g.Options()
		sum, ok := checked[o]
		if !ok {
			dir := filepath.Join(t.TempDir(), "ckpt")
			if err := Write(dir, o); err != nil {
				t.Fatalf("%s: %v", g.Name, err)
			}
			sum = fileSHA256(t, filepath.Join(dir, "model.safetensors"))
			checked[o] = sum
			ck, err := weights.Open(weights.Dir(dir)) // the runtime must be able to load it
			if err != nil {
				t.Fatalf("%s: %v", g.Name, err)
			}
			ck.Close()
		}
		if sum != g.SafetensorsSHA256 {
			t.Errorf("%s: synth checkpoint sha256 %s, goldens say %s", g.Name, sum, g.SafetensorsSHA256)
		}
	}
	if len(checked) < 5 {
		t.Errorf("only %d distinct checkpoints in the goldens, want at least 5", len(checked))
	}
}

// TestGoldensAgreeWithSpec checks the goldens' tiny seed-1 case against the
// known values of spec §8.
func TestGoldensAgreeWithSpec(t *testing.T) {
	goldens, err := LoadGoldens(goldensPath)
	if err != nil {
		t.Fatal(err)
	}
	head, greedy, prompt := KnownLogitsHead, KnownGreedy, KnownPrompt
	found := 0
	for _, g := range goldens {
		o := g.Options()
		o.DType = Tiny().DType
		if o != Tiny() || !slices.Equal(ints32(g.Prompt), prompt) {
			continue
		}
		found++
		if g.DType == "F32" {
			for i, want := range head {
				if d := math.Abs(float64(g.LastLogitsHead[i] - want)); d > 1e-5 {
					t.Errorf("%s: logit %d = %v, spec says %v", g.Name, i, g.LastLogitsHead[i], want)
				}
			}
		}
		for i, want := range greedy { // the same for F32, F16 and BF16
			if int32(g.Greedy[i]) != want {
				t.Errorf("%s: greedy %v, spec says %v", g.Name, g.Greedy, greedy)
				break
			}
		}
	}
	if found != 3 {
		t.Errorf("found %d tiny seed-1 cases with the spec prompt, want 3 (F32, F16, BF16)", found)
	}
}

func ints32(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

func TestLoadGoldensRejectsBadFiles(t *testing.T) {
	good, err := os.ReadFile(goldensPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, old, new, want string }{
		{"truncated", "", "", "unexpected EOF"},
		{"unknown field", `"greedy":`, `"greedy_tokens":`, "unknown field"},
		{"dtype", `"dtype": "F32"`, `"dtype": "F64"`, "DType"},
		{"probe", `"indices":[0,`, `"indices":[`, "indices but"},
		{"token", `"prompt": [50256,`, `"prompt": [51200,`, "outside the vocabulary"},
	} {
		data := string(good)
		if c.old == "" {
			data = data[:len(data)/2]
		} else {
			data = strings.Replace(data, c.old, c.new, 1)
		}
		path := filepath.Join(t.TempDir(), "goldens.json")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadGoldens(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.want)
		}
	}
}

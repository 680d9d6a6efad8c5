package tokenizer

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestReferenceCases compares Encode with testdata/cases.json, written by the
// independent Python implementation testdata/reference.py.
func TestReferenceCases(t *testing.T) {
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Text string  `json:"text"`
			IDs  []int32 `json:"ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 50 {
		t.Fatalf("testdata/cases.json holds %d cases, expected at least 50", len(file.Cases))
	}
	tk := mustNew(t)
	for _, c := range file.Cases {
		if got := tk.Encode(c.Text); !slices.Equal(got, c.IDs) {
			t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, got, c.IDs)
		}
		if got, err := tk.Decode(c.IDs); err != nil || got != c.Text {
			t.Errorf("Decode(ids of %q) = %q, %v", c.Text, got, err)
		}
	}
}

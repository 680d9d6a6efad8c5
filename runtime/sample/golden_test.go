package sample

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// golden.json comes from testdata/gen_golden.py, an independent Python
// implementation of the same generator and filter chain; its "generator"
// field holds the command that regenerates it.
type goldenCase struct {
	Name    string
	Options struct {
		Temperature   float32 `json:"temperature"`
		TopK          int     `json:"top_k"`
		TopP          float32 `json:"top_p"`
		MinP          float32 `json:"min_p"`
		RepeatPenalty float32 `json:"repeat_penalty"`
		RepeatWindow  int     `json:"repeat_window"`
		Seed          uint64  `json:"seed"`
	}
	History []int32
	Logits  string // float32 bit patterns in hex, space-separated
	Want    []int32
}

func TestGoldenDraws(t *testing.T) {
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []goldenCase }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("golden.json has no cases")
	}
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var l []float32
			for _, h := range strings.Fields(c.Logits) {
				b, err := strconv.ParseUint(h, 16, 32)
				if err != nil {
					t.Fatal(err)
				}
				l = append(l, math.Float32frombits(uint32(b)))
			}
			s := New(Options(c.Options))
			got := make([]int32, len(c.Want))
			for i := range got {
				got[i] = s.Sample(l, c.History)
			}
			if !slices.Equal(got, c.Want) {
				t.Errorf("draws\n got %v\nwant %v", got, c.Want)
			}
		})
	}
}

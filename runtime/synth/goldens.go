package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// Golden is one case of testdata/goldens/goldens.json: a synthetic
// checkpoint, a prompt, and what an independent float32 reference computed
// for it. testdata/goldens/README.md documents every field.
type Golden struct {
	Name                string  `json:"name"`
	Seed                uint64  `json:"seed"`
	Vocab               int     `json:"vocab"`
	Hidden              int     `json:"hidden"`
	Layers              int     `json:"layers"`
	Heads               int     `json:"heads"`
	Intermediate        int     `json:"intermediate"`
	PartialRotaryFactor float64 `json:"partial_rotary_factor"`
	DType               string  `json:"dtype"`
	RopeTheta           float64 `json:"rope_theta"`
	MaxPositions        int     `json:"max_position_embeddings"`
	SafetensorsSHA256   string  `json:"safetensors_sha256"`

	Prompt          []int     `json:"prompt"`
	LastLogitsHead  []float32 `json:"last_logits_head"`  // logits[0:16] at the last prompt position
	LastLogitsProbe Probe     `json:"last_logits_probe"` // more of the same row
	Greedy          []int     `json:"greedy"`            // 16 greedy tokens, no stop at eos
	GreedyMinGap    float32   `json:"greedy_min_gap"`    // smallest top-1/top-2 gap over the greedy steps
	KVMaxAbsDiff    float64   `json:"kv_max_abs_diff"`   // the reference's own KV-cache vs recompute check

	// Long cases only: one entry per prompt position, from a full causal forward.
	PositionsProbeIndices []int      `json:"positions_probe_indices,omitempty"`
	Positions             []Position `json:"positions,omitempty"`
	PositionsMinGap       float32    `json:"positions_min_gap,omitempty"`
}

// Probe is a set of logits of one row, by vocabulary index.
type Probe struct {
	Indices []int     `json:"indices"`
	Values  []float32 `json:"values"`
}

// Position is what the reference computed at one prompt position.
type Position struct {
	Argmax int       `json:"argmax"` // lowest index of the largest logit
	Gap    float32   `json:"gap"`    // top-1 minus top-2 logit
	Probe  []float32 `json:"probe"`  // logits at Golden.PositionsProbeIndices
}

// Options returns the checkpoint options of the case.
func (g Golden) Options() Options {
	dt, _ := tensor.ParseDType(g.DType) // checked by LoadGoldens
	return Options{
		Seed: g.Seed, Vocab: g.Vocab, Hidden: g.Hidden, Layers: g.Layers, Heads: g.Heads,
		Intermediate: g.Intermediate, PartialRotaryFactor: g.PartialRotaryFactor, DType: dt,
		MaxPositions: g.MaxPositions, RopeTheta: g.RopeTheta,
	}
}

// LoadGoldens reads a goldens.json file and checks that every case is
// complete and self-consistent.
func LoadGoldens(path string) ([]Golden, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Command string   `json:"command"`
		Cases   []Golden `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(file.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	for _, g := range file.Cases {
		if err := g.check(); err != nil {
			return nil, fmt.Errorf("%s: case %q: %v", path, g.Name, err)
		}
	}
	return file.Cases, nil
}

func (g Golden) check() error {
	if err := g.Options().Validate(); err != nil {
		return err
	}
	if len(g.SafetensorsSHA256) != 64 {
		return fmt.Errorf("safetensors_sha256 %q is not 64 hex digits", g.SafetensorsSHA256)
	}
	if len(g.Prompt) == 0 || len(g.Greedy) == 0 || len(g.LastLogitsHead) == 0 {
		return fmt.Errorf("empty prompt, greedy or last_logits_head")
	}
	for _, id := range append(append([]int(nil), g.Prompt...), g.Greedy...) {
		if id < 0 || id >= g.Vocab {
			return fmt.Errorf("token id %d outside the vocabulary of %d", id, g.Vocab)
		}
	}
	if err := checkIndices(g.LastLogitsProbe.Indices, len(g.LastLogitsProbe.Values), g.Vocab); err != nil {
		return fmt.Errorf("last_logits_probe: %v", err)
	}
	if len(g.Positions) == 0 {
		return nil
	}
	if len(g.Positions) != len(g.Prompt) {
		return fmt.Errorf("%d positions for a prompt of %d tokens", len(g.Positions), len(g.Prompt))
	}
	for i, p := range g.Positions {
		if err := checkIndices(g.PositionsProbeIndices, len(p.Probe), g.Vocab); err != nil {
			return fmt.Errorf("position %d: %v", i, err)
		}
		if p.Argmax < 0 || p.Argmax >= g.Vocab {
			return fmt.Errorf("position %d: argmax %d outside the vocabulary", i, p.Argmax)
		}
	}
	return nil
}

func checkIndices(idx []int, nValues, vocab int) error {
	if len(idx) != nValues {
		return fmt.Errorf("%d indices but %d values", len(idx), nValues)
	}
	for _, i := range idx {
		if i < 0 || i >= vocab {
			return fmt.Errorf("index %d outside the vocabulary of %d", i, vocab)
		}
	}
	return nil
}

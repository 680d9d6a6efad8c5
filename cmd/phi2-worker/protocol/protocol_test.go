package page_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/cmd/phi2-worker/page"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/remote"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("load: %w", page.Errorf(page.CodeBusy, "x")), page.CodeBusy},
		{remote.BadModel(errors.New("shard-00000.bin: sha256 mismatch")), page.CodeBadModel},
		{fmt.Errorf("x: %w", remote.ErrNetwork), page.CodeNetwork},
		{fmt.Errorf("x: %w", remote.ErrNotFound), page.CodeNotFound},
		{fmt.Errorf("x: %w", remote.ErrQuota), page.CodeQuota},
		{fmt.Errorf("x: %w", remote.ErrQuant), page.CodeBadRequest},
		{errors.New("something\nelse"), page.CodeInternal},
	}
	for _, c := range cases {
		e := page.Classify(c.err)
		if e.Code != c.code || e.Hint == "" || strings.Contains(e.Message, "\n") {
			t.Errorf("Classify(%q) = %+v, want code %s, a hint and one line", c.err, e, c.code)
		}
	}
	if e := page.Classify(errors.New("a\nb")); e.Message != "a b" {
		t.Errorf("two lines became %q", e.Message)
	}
	e := page.ContextFull(3000, 2048)
	if e.Code != page.CodeContextFull || !strings.Contains(e.Message, "3000") || !strings.Contains(e.Message, "2048") {
		t.Errorf("ContextFull = %+v", e)
	}
}

func TestGenerateOptions(t *testing.T) {
	o, err := page.DefaultOptions().Generate()
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxTokens != 256 || o.Sample.Temperature != 0.7 || o.Sample.TopK != 40 || o.Sample.TopP != 0.95 ||
		o.Sample.MinP != 0.05 || o.Sample.RepeatPenalty != 1.1 || o.EOS != 50256 {
		t.Errorf("defaults = %+v", o)
	}
	good := page.DefaultOptions()
	good.Seed, good.Temperature, good.Stop = 4294967295, 0, []string{"\nInstruct:"}
	if o, err := good.Generate(); err != nil || o.Sample.Seed != 4294967295 || !slices.Equal(o.Stop, good.Stop) {
		t.Errorf("seed 2³²−1, greedy: %+v, %v", o, err)
	}
	nan := math.NaN()
	bad := map[string]func(*page.Options){
		"maxTokens":     func(o *page.Options) { o.MaxTokens = 0 },
		"maxTokens ":    func(o *page.Options) { o.MaxTokens = 2.5 },
		"temperature":   func(o *page.Options) { o.Temperature = -0.1 },
		"temperature ":  func(o *page.Options) { o.Temperature = nan },
		"topK":          func(o *page.Options) { o.TopK = -1 },
		"topP":          func(o *page.Options) { o.TopP = 1.5 },
		"minP":          func(o *page.Options) { o.MinP = nan },
		"repeatPenalty": func(o *page.Options) { o.RepeatPenalty = math.Inf(1) },
		"seed":          func(o *page.Options) { o.Seed = -1 },
		"seed ":         func(o *page.Options) { o.Seed = 0.5 },
	}
	for name, set := range bad {
		o := page.DefaultOptions()
		set(&o)
		_, err := o.Generate()
		var pe *page.Error
		if !errors.As(err, &pe) || pe.Code != page.CodeBadRequest || !strings.Contains(pe.Message, strings.TrimSpace(name)) {
			t.Errorf("%s out of range: %v, want a bad-request naming it", name, err)
		}
	}
}

func TestLoadCheck(t *testing.T) {
	r := page.Load{Model: "https://example.org/models/default/"}
	if err := r.Check(); err != nil || r.Backend != "auto" || r.Quant != "q4" {
		t.Errorf("defaults: %+v, %v", r, err)
	}
	for _, r := range []page.Load{
		{Model: "models/default/"}, {Model: "file:///m/"}, {Model: "https://x/", Backend: "cpu"},
		{Model: "https://x/", Quant: "q3"}, {Model: "https://x/", MaxStorageBytes: -1},
	} {
		var pe *page.Error
		if err := r.Check(); !errors.As(err, &pe) || pe.Code != page.CodeBadRequest {
			t.Errorf("%+v: %v, want bad-request", r, err)
		}
	}
	for _, c := range []page.Cache{{Op: "delete"}, {Op: "drop"}} {
		if c.Check() == nil {
			t.Errorf("cache %+v accepted", c)
		}
	}
	if (page.Cache{Op: "delete", URL: "https://x/"}).Check() != nil || (page.Cache{Op: "list"}).Check() != nil {
		t.Error("valid cache requests refused")
	}
}

func TestFinishReason(t *testing.T) {
	for stop, want := range map[string]string{generate.StopEOS: "eos", generate.StopString: "stop",
		generate.StopMaxTokens: "length", generate.StopContext: "context", generate.StopCancelled: "aborted"} {
		if got := page.FinishReason(stop); got != want {
			t.Errorf("FinishReason(%q) = %q, want %q", stop, got, want)
		}
	}
}

func TestReuse(t *testing.T) {
	cases := []struct {
		cached, prompt []int32
		want           int
	}{
		{nil, []int32{1, 2}, 0},
		{[]int32{1, 2, 3, 4}, []int32{1, 2, 3, 4, 5, 6}, 4}, // the next turn
		{[]int32{1, 2, 3}, []int32{1, 2, 9}, 2},             // an edit: back to the common prefix
		{[]int32{1, 2, 3}, []int32{1, 2, 3}, 2},             // the same prompt: its last token again
		{[]int32{1, 2, 3}, []int32{1}, 0},
		{[]int32{7}, []int32{1, 2}, 0},
	}
	for _, c := range cases {
		if got := page.Reuse(c.cached, c.prompt); got != c.want {
			t.Errorf("Reuse(%v, %v) = %d, want %d", c.cached, c.prompt, got, c.want)
		}
	}
}

func TestStoredKeys(t *testing.T) {
	stored := []string{"https://a/m/", "https://a/m/.phi2web-q4/", "https://a/m/.phi2web-q8/", "https://a/m2/", "https://a/m/x/"}
	if got, want := page.StoredKeys("https://a/m", stored), stored[:3]; !slices.Equal(got, want) {
		t.Errorf("delete https://a/m: %q, want %q", got, want)
	}
	if got := page.StoredKeys("https://a/m/.phi2web-q8/", stored); !slices.Equal(got, stored[2:3]) {
		t.Errorf("delete one conversion: %q", got)
	}
}

// TestKVCache: F16 only where Phi-2's weights and an F32 cache of its full
// context would not fit the wasm device memory.
func TestKVCache(t *testing.T) {
	phi2 := weights.Config{NumLayers: 32, HiddenSize: 2560, MaxPositions: 2048} // F32 cache: 1.34 GB
	nano := weights.Config{NumLayers: 4, HiddenSize: 128, MaxPositions: 512}
	for _, c := range []struct {
		backend string
		cfg     weights.Config
		bytes   int64
		want    tensor.DType
	}{
		{"wasm", phi2, 2_960_000_000, tensor.F16}, // q8
		{"wasm", phi2, 1_600_000_000, tensor.F32}, // q4
		{"webgpu", phi2, 2_960_000_000, tensor.F32},
		{"wasm", nano, 27_000_000, tensor.F32}, // f16
	} {
		if got := page.KVCache(c.backend, c.cfg, c.bytes); got != c.want {
			t.Errorf("%s, %d layers, %d bytes: %v, want %v", c.backend, c.cfg.NumLayers, c.bytes, got, c.want)
		}
	}
}

package protocol_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/cmd/phi2-worker/protocol"
	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/load"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("load: %w", protocol.Errorf(protocol.CodeBusy, "x")), protocol.CodeBusy},
		{load.BadModel(errors.New("shard-00000.bin: sha256 mismatch")), protocol.CodeBadModel},
		{fmt.Errorf("x: %w", load.ErrNetwork), protocol.CodeNetwork},
		{fmt.Errorf("x: %w", load.ErrNotFound), protocol.CodeNotFound},
		{fmt.Errorf("x: %w", load.ErrQuota), protocol.CodeQuota},
		{fmt.Errorf("x: %w", load.ErrQuant), protocol.CodeBadRequest},
		{fmt.Errorf("x: %w", phi2web.ErrBackend), protocol.CodeWebGPU},
		{errors.New("something\nelse"), protocol.CodeInternal},
	}
	for _, c := range cases {
		e := protocol.Classify(c.err)
		if e.Code != c.code || e.Hint == "" || strings.Contains(e.Message, "\n") {
			t.Errorf("Classify(%q) = %+v, want code %s, a hint and one line", c.err, e, c.code)
		}
	}
	if e := protocol.Classify(errors.New("a\nb")); e.Message != "a b" {
		t.Errorf("two lines became %q", e.Message)
	}
	e := protocol.Classify(fmt.Errorf("generate: %w", &phi2web.ContextFullError{Tokens: 3000, Context: 2048}))
	if e.Code != protocol.CodeContextFull || !strings.Contains(e.Message, "3000") || !strings.Contains(e.Message, "2048") {
		t.Errorf("ContextFull = %+v", e)
	}
}

func TestGenerateOptions(t *testing.T) {
	o, err := protocol.DefaultOptions().Generate()
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxTokens != 256 || o.Sample.Temperature != 0.7 || o.Sample.TopK != 40 || o.Sample.TopP != 0.95 ||
		o.Sample.MinP != 0.05 || o.Sample.RepeatPenalty != 1.1 || o.EOS != 50256 {
		t.Errorf("defaults = %+v", o)
	}
	good := protocol.DefaultOptions()
	good.Seed, good.Temperature, good.Stop = 4294967295, 0, []string{"\nInstruct:"}
	if o, err := good.Generate(); err != nil || o.Sample.Seed != 4294967295 || !slices.Equal(o.Stop, good.Stop) {
		t.Errorf("seed 2³²−1, greedy: %+v, %v", o, err)
	}
	nan := math.NaN()
	bad := map[string]func(*protocol.Options){
		"maxTokens":     func(o *protocol.Options) { o.MaxTokens = 0 },
		"maxTokens ":    func(o *protocol.Options) { o.MaxTokens = 2.5 },
		"temperature":   func(o *protocol.Options) { o.Temperature = -0.1 },
		"temperature ":  func(o *protocol.Options) { o.Temperature = nan },
		"topK":          func(o *protocol.Options) { o.TopK = -1 },
		"topP":          func(o *protocol.Options) { o.TopP = 1.5 },
		"minP":          func(o *protocol.Options) { o.MinP = nan },
		"repeatPenalty": func(o *protocol.Options) { o.RepeatPenalty = math.Inf(1) },
		"seed":          func(o *protocol.Options) { o.Seed = -1 },
		"seed ":         func(o *protocol.Options) { o.Seed = 0.5 },
	}
	for name, set := range bad {
		o := protocol.DefaultOptions()
		set(&o)
		_, err := o.Generate()
		var pe *protocol.Error
		if !errors.As(err, &pe) || pe.Code != protocol.CodeBadRequest || !strings.Contains(pe.Message, strings.TrimSpace(name)) {
			t.Errorf("%s out of range: %v, want a bad-request naming it", name, err)
		}
	}
}

func TestLoadCheck(t *testing.T) {
	r := protocol.Load{Model: "https://example.org/models/default/"}
	if err := r.Check(); err != nil || r.Backend != "auto" || r.Quant != "q4" {
		t.Errorf("defaults: %+v, %v", r, err)
	}
	for _, r := range []protocol.Load{
		{Model: "models/default/"}, {Model: "file:///m/"}, {Model: "https://x/", Backend: "cpu"},
		{Model: "https://x/", Quant: "q3"}, {Model: "https://x/", MaxStorageBytes: -1},
		{Model: "https://x/", KVCache: "q4"}, {Model: "https://x/", Context: -1}, {Model: "https://x/", Context: 2.5},
		{Model: "https://x/", Context: 1<<20 + 1}, {Model: "https://x/", Context: math.NaN()},
	} {
		var pe *protocol.Error
		if err := r.Check(); !errors.As(err, &pe) || pe.Code != protocol.CodeBadRequest {
			t.Errorf("%+v: %v, want bad-request", r, err)
		}
	}
	for _, c := range []protocol.Cache{{Op: "delete"}, {Op: "drop"}} {
		if c.Check() == nil {
			t.Errorf("cache %+v accepted", c)
		}
	}
	if (protocol.Cache{Op: "delete", URL: "https://x/"}).Check() != nil || (protocol.Cache{Op: "list"}).Check() != nil {
		t.Error("valid cache requests refused")
	}
}

func TestFinishReason(t *testing.T) {
	for stop, want := range map[string]string{generate.StopEOS: "eos", generate.StopString: "stop",
		generate.StopMaxTokens: "length", generate.StopContext: "context", generate.StopCancelled: "aborted"} {
		if got := protocol.FinishReason(stop); got != want {
			t.Errorf("FinishReason(%q) = %q, want %q", stop, got, want)
		}
	}
}

func TestStoredKeys(t *testing.T) {
	stored := []string{"https://a/m/", "https://a/m/.phi2web-q4/", "https://a/m/.phi2web-q8/", "https://a/m2/", "https://a/m/x/"}
	if got, want := protocol.StoredKeys("https://a/m", stored), stored[:3]; !slices.Equal(got, want) {
		t.Errorf("delete https://a/m: %q, want %q", got, want)
	}
	if got := protocol.StoredKeys("https://a/m/.phi2web-q8/", stored); !slices.Equal(got, stored[2:3]) {
		t.Errorf("delete one conversion: %q", got)
	}
}

package protocol

import (
	"math"
	"net/url"
	"strings"

	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/sample"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Load is a load request's fields.
type Load struct {
	Model           string  // absolute http(s) URL
	Backend         string  // "auto" (the default), "webgpu" or "simd"
	Quant           string  // "q4" (the default), "q8", "f16" or "f32"
	KVCache         string  // "" (the engine's choice), "f32", "f16" or "q8"
	Context         float64 // tokens the KV cache holds at most; 0: the model's context
	MaxStorageBytes float64 // 0: no limit
}

// Check validates r and fills its defaults.
func (r *Load) Check() error {
	u, err := url.Parse(r.Model)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(CodeBadRequest, "load: model %q: want an absolute http:// or https:// URL", r.Model)
	}
	if r.Backend == "" {
		r.Backend = "auto"
	}
	if r.Backend != "auto" && r.Backend != "webgpu" && r.Backend != "simd" {
		return Errorf(CodeBadRequest, "load: backend %q: want auto, webgpu or simd", r.Backend)
	}
	r.Quant = strings.ToLower(r.Quant)
	if r.Quant == "" {
		r.Quant = "q4"
	}
	switch r.Quant {
	case "q4", "q8", "f16", "f32":
	default:
		return Errorf(CodeBadRequest, "load: quant %q: want q4, q8, f16 or f32", r.Quant)
	}
	r.KVCache = strings.ToLower(r.KVCache)
	switch r.KVCache {
	case "", "f32", "f16", "q8":
	default:
		return Errorf(CodeBadRequest, "load: kvCache %q: want f32, f16 or q8", r.KVCache)
	}
	if !isInt(r.Context) || r.Context < 0 || weights.MaxContext.Check(int64(r.Context)) != nil {
		return Errorf(CodeBadRequest, "load: context %v: want an integer from 1 to %d (0: the model's)", r.Context, weights.MaxContext.Max)
	}
	if !(r.MaxStorageBytes >= 0) || math.IsInf(r.MaxStorageBytes, 1) {
		return Errorf(CodeBadRequest, "load: maxStorageBytes %v: want a number of bytes ≥ 0", r.MaxStorageBytes)
	}
	return nil
}

// Options are a generate request's options, as numbers from JavaScript.
type Options struct {
	MaxTokens, Temperature, TopK, TopP, MinP, RepeatPenalty, Seed float64
	Stop                                                          []string
}

// DefaultOptions are the options the JS API fills in.
func DefaultOptions() Options {
	return Options{MaxTokens: 256, Temperature: 0.7, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1}
}

// maxSafeInteger is the largest integer a JavaScript number holds exactly.
const maxSafeInteger = 1<<53 - 1

// Generate checks the options and returns them as generate.Options; a
// generation ends at Phi-2's end of text.
func (o Options) Generate() (generate.Options, error) {
	bad := func(name string, v float64, want string) error {
		return Errorf(CodeBadRequest, "generate: %s %v: want %s", name, v, want)
	}
	switch {
	case !isInt(o.MaxTokens) || o.MaxTokens < 1:
		return generate.Options{}, bad("maxTokens", o.MaxTokens, "an integer ≥ 1")
	case !(o.Temperature >= 0) || math.IsInf(o.Temperature, 1):
		return generate.Options{}, bad("temperature", o.Temperature, "a finite number ≥ 0 (0: greedy)")
	case !isInt(o.TopK) || o.TopK < 0:
		return generate.Options{}, bad("topK", o.TopK, "an integer ≥ 0 (0: off)")
	case !(o.TopP >= 0 && o.TopP <= 1):
		return generate.Options{}, bad("topP", o.TopP, "a number in [0, 1]")
	case !(o.MinP >= 0 && o.MinP <= 1):
		return generate.Options{}, bad("minP", o.MinP, "a number in [0, 1]")
	case !(o.RepeatPenalty >= 0) || math.IsInf(o.RepeatPenalty, 1):
		return generate.Options{}, bad("repeatPenalty", o.RepeatPenalty, "a finite number ≥ 0 (0 or 1: off)")
	case !isInt(o.Seed) || o.Seed < 0:
		return generate.Options{}, bad("seed", o.Seed, "an integer ≥ 0")
	}
	return generate.Options{
		MaxTokens: int(min(o.MaxTokens, math.MaxInt32)),
		Sample: sample.Options{
			Temperature: float32(o.Temperature), TopK: int(min(o.TopK, math.MaxInt32)), TopP: float32(o.TopP),
			MinP: float32(o.MinP), RepeatPenalty: float32(o.RepeatPenalty), Seed: uint64(o.Seed),
		},
		Stop: o.Stop,
		EOS:  tokenizer.EndOfText,
	}, nil
}

func isInt(v float64) bool { return v == math.Trunc(v) && math.Abs(v) <= maxSafeInteger }

// FinishReason names a generate.Result's stop reason as the protocol
// does.
func FinishReason(stop string) string {
	switch stop {
	case generate.StopEOS:
		return "eos"
	case generate.StopString:
		return "stop"
	case generate.StopMaxTokens:
		return "length"
	case generate.StopContext:
		return "context"
	case generate.StopCancelled:
		return "aborted"
	}
	return stop
}

// Cache is a cache request's fields.
type Cache struct {
	Op  string // "list", "delete", "clear" or "estimate"
	URL string // the model of delete
}

// Check validates r.
func (r Cache) Check() error {
	switch r.Op {
	case "list", "clear", "estimate":
		return nil
	case "delete":
		if r.URL == "" {
			return Errorf(CodeBadRequest, "cache delete: give the url of the model to delete")
		}
		return nil
	}
	return Errorf(CodeBadRequest, "cache: op %q: want list, delete, clear or estimate", r.Op)
}

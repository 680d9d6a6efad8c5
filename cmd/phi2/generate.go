package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// stopList collects repeated --stop flags.
type stopList []string

func (s *stopList) String() string     { return fmt.Sprint(*s) }
func (s *stopList) Set(v string) error { *s = append(*s, v); return nil }

// generateOutput is the --json result, a contract other tools rely on.
type generateOutput struct {
	IDs             []int32 `json:"ids"`
	Text            string  `json:"text"`
	PromptTokens    int     `json:"prompt_tokens"`
	GeneratedTokens int     `json:"generated_tokens"`
	TTFTms          float64 `json:"ttft_ms"`
	TokensPerSecond float64 `json:"tokens_per_second"`
	StopReason      string  `json:"stop_reason"`
	Engine          string  `json:"engine"`
	Backend         string  `json:"backend"`
	Fallback        string  `json:"fallback,omitempty"` // why the backend asked for is not the one used
}

func runGenerate(args []string, stdout io.Writer) error {
	fs := newFlags("generate")
	var ef engineFlags
	ef.register(fs)
	ef.registerThreads(fs)
	ef.registerQuant(fs)
	prompt := fs.String("prompt", "", "prompt text")
	list := fs.String("ids", "", "prompt as comma-separated token ids (instead of --prompt)")
	var o generate.Options
	fs.IntVar(&o.MaxTokens, "max-tokens", 64, "generate at most this many tokens (0: until the context is full)")
	temp := fs.Float64("temperature", 0, "sampling temperature (0: greedy)")
	fs.IntVar(&o.Sample.TopK, "top-k", 0, "keep the K most likely tokens (0: off)")
	topP := fs.Float64("top-p", 1, "keep the smallest set with probability ≥ P (1: off)")
	minP := fs.Float64("min-p", 0, "drop tokens below P × the top probability (0: off)")
	penalty := fs.Float64("repeat-penalty", 1, "penalize tokens already seen (1: off)")
	fs.IntVar(&o.Sample.RepeatWindow, "repeat-window", 64, "how many recent tokens --repeat-penalty looks at (0: all)")
	fs.Uint64Var(&o.Sample.Seed, "seed", 0, "random seed for sampling")
	var stops stopList
	fs.Var(&stops, "stop", "stop when the text contains this string (repeatable)")
	fs.BoolVar(&o.IgnoreEOS, "ignore-eos", false, "do not stop at <|endoftext|>")
	asJSON := fs.Bool("json", false, "print one JSON object at the end instead of streaming text")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := ef.checkSizes(fs); err != nil {
		return err
	}
	args, err := ef.useDefaultModel(args)
	if err != nil {
		return err
	}
	if ran, err := ef.delegate(fs, "generate", args, stdout); ran {
		return err
	}
	if o.MaxTokens < 0 {
		return usageErr("--max-tokens must be ≥ 0, got %d", o.MaxTokens)
	}
	o.Sample.Temperature, o.Sample.TopP, o.Sample.MinP = float32(*temp), float32(*topP), float32(*minP)
	o.Sample.RepeatPenalty = float32(*penalty)
	o.Stop = stops
	if err := o.Sample.Validate(); err != nil {
		return usageErr("%v", err)
	}
	tok, err := tokenizer.New()
	if err != nil {
		return err
	}
	ids, err := promptIDs(tok, *prompt, *list)
	if err != nil {
		return err
	}

	m, err := ef.open()
	if err != nil {
		return err
	}
	defer m.Close()
	o.EOS = -1
	if eos := m.Config().EOSTokenID; eos >= 0 {
		o.EOS = int32(eos)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := stdout
	if *asJSON {
		out = nil
	}
	var onToken func(generate.Event) error
	if out != nil {
		onToken = func(e generate.Event) error {
			_, err := io.WriteString(out, e.Text)
			return err
		}
	}
	res, err := m.Generate(ctx, ids, o, onToken)
	if err != nil {
		return err
	}
	if !*asJSON {
		_, err = fmt.Fprintln(stdout)
		return err
	}
	return json.NewEncoder(stdout).Encode(generateOutput{
		IDs: append([]int32{}, res.IDs...), Text: res.Text, PromptTokens: res.PromptTokens,
		GeneratedTokens: len(res.IDs), TTFTms: float64(res.TimeToFirst.Microseconds()) / 1000,
		TokensPerSecond: res.TokensPerSecond, StopReason: res.StopReason,
		Engine: reportedEngine(ef.engine), Backend: m.Backend(), Fallback: m.Fallback(),
	})
}

// promptIDs encodes the prompt text or parses the id list; exactly one is given.
func promptIDs(tok *tokenizer.Tokenizer, prompt, list string) ([]int32, error) {
	switch {
	case prompt != "" && list != "":
		return nil, usageErr("give --prompt or --ids, not both")
	case list != "":
		return parseIDs(list)
	case prompt != "":
		return tok.Encode(prompt), nil
	}
	return nil, usageErr("give a prompt: --prompt TEXT or --ids LIST")
}

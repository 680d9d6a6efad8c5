// Command phi2 runs the Phi-2 engine from the command line: tokenize text,
// compute logits and generate text. Results are JSON on stdout; errors are
// one line on stderr with a non-zero exit status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `usage: phi2 <command> [flags]

commands:
  tokenize    [--text STRING]                      print token ids as JSON (the text of stdin without --text)
  detokenize  --ids 1,2,3                          print the text of ids
  logits      [--model PATH] --ids LIST            print last-position logits as JSON
  generate    [--model PATH] (--prompt TEXT | --ids LIST) [sampling flags]
  convert     --in PATH --out DIR [--quant q4|q8|f16|f32] [--embed-quant Q] [--shard-size N]
  bench       [--engine E] [--backend B] [--shape phi2|tiny] [--quant Q] [--layers N] [--threads N] [--model PATH]
                                                   measure speed (one JSON line)
  synth       --out DIR [--shape tiny|phi2] [--layers N] [--seed S] [--dtype F32|F16|BF16]
  perplexity  [--model PATH] --file F [--stride N] score a text file (JSON: tokens, nll, perplexity)
  serve       [--addr 127.0.0.1:8080] [--model PATH] [--backend B] [--api-key K]
                                                   serve the demo page, the JS module, models and an OpenAI-compatible API on /v1
  dist        --out DIR [--model PATH] [--npm]     write what serve serves into DIR, for any static host (--npm: the npm package's folder)

Without --model, logits, generate and perplexity use the default model (phi-nano).
logits, generate, perplexity and bench take --engine native|wazero|chromium and --backend.
Long work draws progress on stderr when it is a terminal; --quiet leaves it out.
Run 'phi2 <command> -h' for a command's flags.
`

// errUsage marks errors in the command line (exit status 2).
var errUsage = errors.New("usage")

type command func(args []string, stdout io.Writer) error

var commands = map[string]command{
	"tokenize":   runTokenize,
	"detokenize": runDetokenize,
	"logits":     runLogits,
	"generate":   runGenerate,
	"synth":      runSynth,
	"convert":    runConvert,
	"bench":      runBench,
	"serve":      runServe,
	"perplexity": runPerplexity,
	"dist":       runDist,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// guestStderr receives the messages of a command run on another engine.
var guestStderr io.Writer = os.Stderr

func run(args []string, stdout, stderr io.Writer) int {
	guestStderr, progressOut, quiet = stderr, stderr, false
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "phi2: unknown command %q (want tokenize, detokenize, logits, generate, convert, bench, synth, perplexity, serve or dist)\n", args[0])
		return 2
	}
	err := cmd(args[1:], stdout)
	if err != nil {
		endProgressLine()
	}
	var elsewhere exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &elsewhere):
		return int(elsewhere)
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "phi2 %s: %s\n", args[0], oneLine(err))
		return 2
	}
	fmt.Fprintf(stderr, "phi2 %s: %s\n", args[0], oneLine(err))
	return 1
}

// newFlags makes a flag set that reports problems as errors, not exits.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("phi2 "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

// parse parses args and rejects stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.Usage()
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func oneLine(err error) string {
	s := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
	return strings.Join(strings.Fields(s), " ")
}

package main

import (
	"encoding/json"
	"testing"
)

func TestBenchReportsEveryFigure(t *testing.T) {
	out, errOut, code := runCLI("bench", "--shape", "tiny", "--layers", "1", "--quant", "q8", "--cache", t.TempDir(),
		"--prompt-tokens", "8", "--decode-tokens", "2", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r benchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Model != "tiny-L1-q8" || r.Threads != 1 || r.Prompt != 8 || r.LoadMS <= 0 || r.PromptTPS <= 0 || r.TTFTMS <= 0 ||
		r.Decode128 <= 0 || r.Decode2048 <= 0 || r.WeightsMB <= 0 || r.PeakRSSMB <= 0 {
		t.Fatalf("incomplete result: %s", out)
	}
}

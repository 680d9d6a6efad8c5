package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// peerRun is one line of llama-bench's `-o jsonl` output: a prompt run
// (n_gen 0) or a generation run (n_prompt 0) at n_threads.
type peerRun struct {
	Threads int     `json:"n_threads"`
	Prompt  int     `json:"n_prompt"`
	Gen     int     `json:"n_gen"`
	Rate    float64 `json:"avg_ts"`
	Commit  string  `json:"build_commit"`
	Type    string  `json:"model_type"`
}

// peerRates are a peer's tokens/s by thread count.
type peerRates struct {
	prompt, decode map[int]float64
	about          string // build and model, as llama-bench names them
}

func readPeer(in io.Reader) (peerRates, error) {
	p := peerRates{prompt: map[int]float64{}, decode: map[int]float64{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		var r peerRun
		if json.Unmarshal(sc.Bytes(), &r) != nil || r.Threads <= 0 {
			continue
		}
		switch {
		case r.Prompt > 0 && r.Gen == 0:
			p.prompt[r.Threads] = r.Rate
		case r.Gen > 0 && r.Prompt == 0:
			p.decode[r.Threads] = r.Rate
		}
		p.about = "llama.cpp, " + r.Type
		if r.Commit != "unknown" && r.Commit != "" {
			p.about = fmt.Sprintf("llama.cpp %s, %s", r.Commit, r.Type)
		}
	}
	if len(p.prompt)+len(p.decode) == 0 && sc.Err() == nil {
		return p, fmt.Errorf("no llama-bench runs (want the lines of llama-bench -o jsonl)")
	}
	return p, sc.Err()
}

// ratios prints each result against the peer at its thread count: prompt
// and decode at context 128 as a multiple of the peer's, and decode at
// 2048 as a multiple of its own at 128.
func ratios(out io.Writer, rs []result, p peerRates) {
	fmt.Fprintf(out, "\nAgainst %s at equal threads:\n\n", p.about)
	fmt.Fprintln(out, "| engine | backend | threads | KV cache | prompt × peer | decode ctx 128 × peer | ctx 2048 / ctx 128 | peer prompt tok/s | peer decode tok/s |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		pp, pd := p.prompt[r.Threads], p.decode[r.Threads]
		fmt.Fprintf(out, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", r.Engine, r.Backend, r.Threads, r.KVCache,
			ratio(r.PromptTPS, pp), ratio(r.Decode128, pd), ratio(r.Decode2048, r.Decode128), rate(pp), rate(pd))
	}
}

func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func rate(v float64) string {
	if v <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

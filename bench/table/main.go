// Command table prints the JSON lines of `phi2 bench` as a Markdown table,
// for `make bench` and docs/benchmarks.md. With -peer FILE (the lines of
// `llama-bench -o jsonl`) it adds each result's ratios to the peer's.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

type result struct {
	Engine     string  `json:"engine"`
	Backend    string  `json:"backend"`
	Model      string  `json:"model"`
	Threads    int     `json:"threads"`
	KVCache    string  `json:"kv_cache"`
	LoadMS     float64 `json:"load_ms"`
	PromptTPS  float64 `json:"prompt_tokens_per_second"`
	TTFTMS     float64 `json:"ttft_ms"`
	Decode128  float64 `json:"decode_tokens_per_second_ctx128"`
	Decode2048 float64 `json:"decode_tokens_per_second_ctx2048"`
	WeightsMB  float64 `json:"weights_mb"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
}

func main() {
	peer := flag.String("peer", "", "llama-bench -o jsonl output to compare with")
	flag.Parse()
	rs, err := table(os.Stdin, os.Stdout)
	if err == nil && *peer != "" {
		err = comparePeer(os.Stdout, rs, *peer)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func comparePeer(out io.Writer, rs []result, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := readPeer(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ratios(out, rs, p)
	return nil
}

// table prints the results of in and returns them.
func table(in io.Reader, out io.Writer) ([]result, error) {
	var rs []result
	fmt.Fprintln(out, "| engine | backend | model | threads | KV cache | load s | prompt tok/s | TTFT ms | decode tok/s ctx 128 | ctx 2048 | weights MB | peak RSS MB |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Engine == "" {
			continue // progress or other lines between results
		}
		rs = append(rs, r)
		peak := "–" // not measured (chromium: the engine runs in the browser's processes)
		if r.PeakRSSMB > 0 {
			peak = fmt.Sprintf("%.0f", r.PeakRSSMB)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %d | %s | %.1f | %.1f | %.0f | %.2f | %.2f | %.0f | %s |\n",
			r.Engine, r.Backend, r.Model, r.Threads, r.KVCache, r.LoadMS/1000, r.PromptTPS, r.TTFTMS, r.Decode128, r.Decode2048, r.WeightsMB, peak)
	}
	return rs, sc.Err()
}

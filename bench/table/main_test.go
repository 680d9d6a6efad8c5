package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRatiosToPeer(t *testing.T) {
	bench := `{"engine":"chromium","backend":"simd","model":"phi2-L32-q4","threads":1,"kv_cache":"f32","prompt_tokens_per_second":18,"decode_tokens_per_second_ctx128":8,"decode_tokens_per_second_ctx2048":6}
progress line
{"engine":"wazero","backend":"simd","model":"phi2-L32-q4","threads":2,"kv_cache":"f32","prompt_tokens_per_second":30,"decode_tokens_per_second_ctx128":12,"decode_tokens_per_second_ctx2048":9}
`
	peer := `{"build_commit":"c392e509","model_type":"phi2 3B Q4_0","n_threads":1,"n_prompt":128,"n_gen":0,"avg_ts":36}
{"build_commit":"c392e509","model_type":"phi2 3B Q4_0","n_threads":1,"n_prompt":0,"n_gen":64,"avg_ts":10}
{"build_commit":"c392e509","model_type":"phi2 3B Q4_0","n_threads":2,"n_prompt":128,"n_gen":0,"avg_ts":60}
`
	var out bytes.Buffer
	rs, err := table(strings.NewReader(bench), &out)
	if err != nil || len(rs) != 2 {
		t.Fatalf("table: %d results, %v", len(rs), err)
	}
	p, err := readPeer(strings.NewReader(peer))
	if err != nil {
		t.Fatal(err)
	}
	ratios(&out, rs, p)
	for _, want := range []string{
		"Against llama.cpp c392e509, phi2 3B Q4_0",
		"| chromium | simd | 1 | f32 | 0.50× | 0.80× | 0.75× | 36.0 | 10.0 |",
		"| wazero | simd | 2 | f32 | 0.50× | – | 0.75× | 60.0 | – |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	if _, err := readPeer(strings.NewReader("not json\n")); err == nil {
		t.Error("a file without llama-bench runs was accepted")
	}
}

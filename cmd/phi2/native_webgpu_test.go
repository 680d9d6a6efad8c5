//go:build cgo && (linux || darwin || windows) && (amd64 || arm64)

package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/synth"
)

// TestNativeWebGPUGoldens runs the short cases of the independent
// reference (testdata/goldens) through the CLI on WebGPU in this process
// (wgpu-native; lavapipe in the tests' setup): the last position's logits
// within 1e-3, the 16 greedy tokens exact, and the JSON naming the device.
func TestNativeWebGPUGoldens(t *testing.T) {
	cases, err := synth.LoadGoldens("../../testdata/goldens/goldens.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range cases {
		if len(g.Positions) > 0 {
			continue // the long cases run in package webgpu
		}
		t.Run(g.Name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "model")
			if err := synth.Write(dir, g.Options()); err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(g.Prompt))
			for i, id := range g.Prompt {
				ids[i] = strconv.Itoa(id)
			}
			prompt := strings.Join(ids, ",")
			got := logitsOf(t, "logits", "--model", dir, "--ids", prompt, "--backend=webgpu")
			for i, want := range g.LastLogitsHead {
				if d := math.Abs(float64(got.Logits[i] - want)); d > 1e-3 {
					t.Errorf("logit %d = %v, want %v", i, got.Logits[i], want)
				}
			}
			out, errOut, code := runCLI("generate", "--model", dir, "--ids", prompt, "--max-tokens", "16",
				"--ignore-eos", "--json", "--backend=webgpu")
			var res generateOutput
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
				t.Fatalf("generate: exit %d: %s %s", code, out, errOut)
			}
			if res.Engine != "native" || res.Backend != "webgpu" || res.Fallback != "" {
				t.Errorf("engine %q, backend %q, fallback %q", res.Engine, res.Backend, res.Fallback)
			}
			for i, want := range g.Greedy {
				if i >= len(res.IDs) || int(res.IDs[i]) != want {
					t.Fatalf("greedy %v, want %v", res.IDs, g.Greedy)
				}
			}
		})
	}
}

// TestNativeWebGPUFallback: natively, a WebGPU that cannot start or is
// lost gives way to the pure-Go backend with the reason, and auto does not
// pick a software adapter (the tests' lavapipe is one; a machine with a
// hardware GPU computes on it).
func TestNativeWebGPUFallback(t *testing.T) {
	for _, c := range []struct{ backend, fault, reason string }{
		{"webgpu", "limits", "lacks the needed limits"},
		{"webgpu", "selftest", "self-test"},
		{"webgpu", "lose:4", "device lost"},
		{"auto", "", "software adapter"},
	} {
		t.Run(c.backend+" "+c.fault, func(t *testing.T) {
			t.Setenv("PHI2_WEBGPU_FAULT", c.fault)
			out, errOut, code := runCLI("generate", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831",
				"--max-tokens", "16", "--ignore-eos", "--json", "--backend="+c.backend)
			var res generateOutput
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
				t.Fatalf("exit %d: %s %s", code, out, errOut)
			}
			ids, _ := json.Marshal(res.IDs)
			if c.backend == "auto" && res.Backend == "webgpu" && res.Fallback == "" {
				res.Backend, res.Fallback = "cpu", c.reason // a hardware adapter: the right choice
			}
			if res.Backend != "cpu" || !strings.Contains(res.Fallback, c.reason) ||
				string(ids) != "[49039,4997,39995,1982,26601,1426,33793,7339,20439,11729,12506,14252,9828,424,33820,27065]" {
				t.Errorf("backend %q, fallback %q, ids %s; want cpu, a reason containing %q and the pure-Go tokens", res.Backend, res.Fallback, ids, c.reason)
			}
		})
	}
}

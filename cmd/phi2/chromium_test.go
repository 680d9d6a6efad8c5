//go:build !wasm

package main

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/synth"
)

// chromiumGenerate runs a greedy generation of the spec's known prompt in
// Chromium and returns its JSON result; backend "" gives no --backend.
func chromiumGenerate(t *testing.T, backend string, extra ...string) generateOutput {
	t.Helper()
	args := []string{"generate", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831",
		"--max-tokens", "16", "--ignore-eos", "--json", "--engine", "chromium"}
	if backend != "" {
		args = append(args, "--backend", backend)
	}
	args = append(args, extra...)
	out, errOut, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", backend, code, errOut)
	}
	var res generateOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%s: %v in %q", backend, err, out)
	}
	if !slices.Equal(res.IDs, synth.KnownGreedy) || res.Engine != "chromium" || res.GeneratedTokens != 16 {
		t.Errorf("%s: unexpected result %s", backend, out)
	}
	return res
}

// TestChromiumGenerate: the spec's greedy tokens on WebGPU and on the SIMD
// kernels running in V8. WebGPU asked for by name takes Chromium's
// software adapter (SwiftShader); auto, the default, leaves it for SIMD
// and says why.
func TestChromiumGenerate(t *testing.T) {
	useJSGuest(t)
	for _, c := range []struct{ backend, want, fallback string }{
		{"webgpu", "webgpu", ""},
		{"simd", "simd", ""},
		{"auto", "simd", "is a software adapter"},
		{"", "simd", "is a software adapter"},
	} {
		res := chromiumGenerate(t, c.backend)
		if res.Backend != c.want || !strings.Contains(res.Fallback, c.fallback) || (c.fallback == "") != (res.Fallback == "") {
			t.Errorf("--backend %q: computed on %q (fallback %q); want %q (fallback %q)", c.backend, res.Backend, res.Fallback, c.want, c.fallback)
		}
	}
}

// TestChromiumLogits: the logits of both Chromium backends within 1e-3 of
// the native engine's, same argmax.
func TestChromiumLogits(t *testing.T) {
	useJSGuest(t)
	args := []string{"logits", "--model", tinyDir, "--ids", "50256,464,3139,7586,21831"}
	want := logitsOf(t, args...)
	for _, be := range []string{"webgpu", "simd"} {
		got := logitsOf(t, append(args, "--engine=chromium", "--backend="+be)...)
		if got.Argmax != want.Argmax {
			t.Errorf("%s: argmax %d, native %d", be, got.Argmax, want.Argmax)
		}
		for i := range want.Logits {
			if d := math.Abs(float64(got.Logits[i] - want.Logits[i])); d > 1e-3 {
				t.Fatalf("%s: logit %d = %v, native %v", be, i, got.Logits[i], want.Logits[i])
			}
		}
	}
}

type logitsResult struct {
	Logits []float32 `json:"logits"`
	Argmax int       `json:"argmax"`
}

func logitsOf(t *testing.T, args ...string) logitsResult {
	t.Helper()
	out, errOut, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	var r logitsResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v in %.200q", err, out)
	}
	return r
}

// TestChromiumFallback: a browser without WebGPU, an adapter without the
// needed limits, a failed self-test and a device lost mid-generation each
// end on the SIMD backend with the reason, and the same tokens.
func TestChromiumFallback(t *testing.T) {
	useJSGuest(t)
	for _, c := range []struct{ env, value, reason string }{
		{"PHI2_WEBGPU", "absent", "no navigator.gpu"},
		{"PHI2_WEBGPU", "no-adapter", "found no adapter"},
		{"PHI2_WEBGPU_FAULT", "limits", "lacks the needed limits"},
		{"PHI2_WEBGPU_FAULT", "selftest", "self-test"},
		{"PHI2_WEBGPU_FAULT", "lose:4", "device lost"},
	} {
		t.Run(c.value, func(t *testing.T) {
			t.Setenv(c.env, c.value)
			res := chromiumGenerate(t, "webgpu")
			if res.Backend != "simd" || !strings.Contains(res.Fallback, c.reason) {
				t.Errorf("backend %q, fallback %q; want simd and a reason containing %q", res.Backend, res.Fallback, c.reason)
			}
		})
	}
}

// TestChromiumQuantized: a Q8 and a Q4 conversion of the tiny model give
// the native engine's logits on WebGPU within 1e-3 (both multiply the
// stored quants in float32).
func TestChromiumQuantized(t *testing.T) {
	useJSGuest(t)
	for _, q := range []string{"q8", "q4"} {
		dir := filepath.Join(t.TempDir(), q)
		if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", dir, "--quant", q); code != 0 {
			t.Fatalf("convert: %s", errOut)
		}
		args := []string{"logits", "--model", dir, "--ids", "50256,464,3139,7586,21831"}
		want, got := logitsOf(t, args...), logitsOf(t, append(args, "--engine=chromium", "--backend=webgpu")...)
		for i := range want.Logits {
			if d := math.Abs(float64(got.Logits[i] - want.Logits[i])); d > 1e-3 || got.Argmax != want.Argmax {
				t.Fatalf("%s: logit %d = %v, native %v (argmax %d, %d)", q, i, got.Logits[i], want.Logits[i], got.Argmax, want.Argmax)
			}
		}
	}
}

// TestChromiumGoldens runs the short cases of the independent reference
// (testdata/goldens) end to end in Chromium, each through one backend and
// the next through the other, so that both see F32, F16 and BF16 models:
// the last position's logits within 1e-3, the 16 greedy tokens exact.
// (Each case runs on both backends, in Chromium too, in the webgpu and
// wasm/simd packages; what this adds is the command and the model served
// to the page.)
func TestChromiumGoldens(t *testing.T) {
	useJSGuest(t)
	cases, err := synth.LoadGoldens("../../testdata/goldens/goldens.json")
	if err != nil {
		t.Fatal(err)
	}
	backends := []string{"webgpu", "simd"}
	n := 0
	for _, g := range cases {
		if len(g.Positions) > 0 {
			continue // the long cases run in the webgpu and simd packages
		}
		be := backends[n%2]
		n++
		t.Run(g.Name+"/"+be, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "model")
			if err := synth.Write(dir, g.Options()); err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(g.Prompt))
			for i, id := range g.Prompt {
				ids[i] = strconv.Itoa(id)
			}
			prompt := strings.Join(ids, ",")
			got := logitsOf(t, "logits", "--model", dir, "--ids", prompt, "--engine=chromium", "--backend="+be)
			for i, want := range g.LastLogitsHead {
				if d := math.Abs(float64(got.Logits[i] - want)); d > 1e-3 {
					t.Errorf("logit %d = %v, want %v", i, got.Logits[i], want)
				}
			}
			out, errOut, code := runCLI("generate", "--model", dir, "--ids", prompt, "--max-tokens", "16",
				"--ignore-eos", "--json", "--engine=chromium", "--backend="+be)
			var res generateOutput
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
				t.Fatalf("generate: exit %d: %s %s", code, out, errOut)
			}
			if res.Backend != be {
				t.Errorf("computed on %s, asked for %s (%s)", res.Backend, be, res.Fallback)
			}
			for i, want := range g.Greedy {
				if i >= len(res.IDs) || int(res.IDs[i]) != want {
					t.Fatalf("greedy %v, want %v", res.IDs, g.Greedy)
				}
			}
		})
	}
}

// TestQuantInFlight: a Hugging Face checkpoint loaded with --quant, from a
// path natively and from an http URL in Chromium, gives the logits of its
// conversion (the same stored bytes: equal natively, ≤ 1e-5 on WebGPU).
func TestQuantInFlight(t *testing.T) {
	useJSGuest(t)
	dir := filepath.Join(t.TempDir(), "q4")
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", dir, "--quant", "q4"); code != 0 {
		t.Fatalf("convert: %s", errOut)
	}
	ids := []string{"--ids", "50256,464,3139,7586,21831"}
	want := logitsOf(t, append([]string{"logits", "--model", dir}, ids...)...)
	native := logitsOf(t, append([]string{"logits", "--model", tinyDir, "--quant", "q4"}, ids...)...)
	if !slices.Equal(native.Logits, want.Logits) {
		t.Errorf("native: --quant q4 logits differ from the converted model's")
	}
	files := http.FileServer(http.Dir(tinyDir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// As Hugging Face does: readable from any origin, ranges exposed.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "Range")
		w.Header().Set("Access-Control-Expose-Headers", "Content-Range, Content-Length")
		if r.Method == http.MethodOptions {
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	gpu := logitsOf(t, append([]string{"logits", "--model", srv.URL + "/", "--quant", "q4", "--engine=chromium", "--backend=webgpu"}, ids...)...)
	for i := range want.Logits {
		if d := math.Abs(float64(gpu.Logits[i] - want.Logits[i])); d > 1e-5 {
			t.Fatalf("chromium: logit %d = %v, converted %v", i, gpu.Logits[i], want.Logits[i])
		}
	}
}

// storedRun generates greedily in Chromium from the model served by srv,
// with the browser profile (and so IndexedDB) in profile.
func storedRun(t *testing.T, srv *modelServer, profile string, env ...string) (generateOutput, string, int) {
	t.Helper()
	t.Setenv("PHI2_CHROMIUM_PROFILE", profile)
	for i := 0; i+1 < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	out, errOut, code := runCLI("generate", "--model", srv.URL+"/", "--ids", "50256,464,3139,7586,21831",
		"--max-tokens", "8", "--ignore-eos", "--json", "--engine=chromium", "--backend=simd")
	var res generateOutput
	if code == 0 {
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v in %q", err, out)
		}
	}
	return res, errOut, code
}

// TestChromiumBench: the bench runs in the page, on the relaxed-SIMD
// kernels, and reports the browser's peak memory, which a page running a
// model cannot hold under 100 MB, and here (a one-layer tiny model) not over
// 4 GB either.
func TestChromiumBench(t *testing.T) {
	useJSGuest(t)
	out, errOut, code := runCLI("bench", "--engine", "chromium", "--backend", "simd", "--shape", "tiny", "--layers", "1",
		"--quant", "q4", "--cache", t.TempDir(), "--prompt-tokens", "8", "--decode-tokens", "2", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if peak, _ := r["peak_rss_mb"].(float64); peak < 100 || peak > 4096 || r["engine"] != "chromium" || r["backend"] != "simd" || r["simd_kernels"] != "relaxed" || r["decode_tokens_per_second_ctx128"].(float64) <= 0 {
		t.Errorf("unexpected result %s", out)
	}
	// The load's peak is the browser's memory until the guest's marker,
	// which the host takes out of the guest's messages.
	if load, _ := r["load_peak_rss_mb"].(float64); load < 50 || load > r["peak_rss_mb"].(float64) {
		t.Errorf("load_peak_rss_mb %v with peak_rss_mb %v", r["load_peak_rss_mb"], r["peak_rss_mb"])
	}
	if strings.Contains(errOut, loadedMarker) {
		t.Errorf("the guest's marker reached standard error: %q", errOut)
	}
}

// TestChromiumBenchStore: a bench of a model URL with a kept profile says
// the weights came from the network on its first run and from the store
// on its second, which also measures the store's read rates; both say how
// much of the load went to the backend's uploads.
func TestChromiumBenchStore(t *testing.T) {
	useJSGuest(t)
	dir, _ := storedModel(t, "524288")
	srv := newModelServer(t, dir)
	t.Setenv("PHI2_CHROMIUM_PROFILE", t.TempDir())
	for _, want := range []string{"network", "store"} {
		out, errOut, code := runCLI("bench", "--engine", "chromium", "--backend", "simd", "--model", srv.URL+"/",
			"--prompt-tokens", "4", "--decode-tokens", "1", "--threads", "1")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r["load_source"] != want || r["load_ms"].(float64) <= 0 {
			t.Errorf("load_source %v, load_ms %v; want %s: %s", r["load_source"], r["load_ms"], want, out)
		}
		rate, _ := r["store_read_mb_per_s"].(float64)
		hashed, _ := r["store_read_sha256_mb_per_s"].(float64)
		if (rate > 0 && hashed > 0) != (want == "store") {
			t.Errorf("%s: store read rates %v and %v MB/s, want them measured only from the store", want, rate, hashed)
		}
		if up, _ := r["upload_ms"].(float64); up <= 0 || up > r["load_ms"].(float64) {
			t.Errorf("%s: upload_ms %v of load_ms %v", want, r["upload_ms"], r["load_ms"])
		}
	}
}

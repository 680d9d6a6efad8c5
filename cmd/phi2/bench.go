package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/weights"
	"github.com/phi2web/phi2web/webgpu"
)

// benchResult is one line of `phi2 bench` output.
type benchResult struct {
	Engine  string  `json:"engine"`
	Backend string  `json:"backend"`
	Model   string  `json:"model"`
	Threads int     `json:"threads"`
	KVCache string  `json:"kv_cache"`
	LoadMS  float64 `json:"load_ms"`
	// LoadSource: "network" (downloaded, or read over HTTP in place),
	// "store" (every shard found stored) or "file" (a local path).
	LoadSource string `json:"load_source"`
	// load_source "store": the store's read rate, plain and hashed, in
	// MB/s, measured after the load in the same run (storeReadRates).
	StoreReadMBps   float64 `json:"store_read_mb_per_s,omitempty"`
	StoreHashedMBps float64 `json:"store_read_sha256_mb_per_s,omitempty"`
	UploadMS        float64 `json:"upload_ms,omitempty"` // of load_ms, the time spent handing tensors to the backend
	Prompt          int     `json:"prompt_tokens"`
	PromptTPS       float64 `json:"prompt_tokens_per_second"`
	TTFTMS          float64 `json:"ttft_ms"`
	Decode128       float64 `json:"decode_tokens_per_second_ctx128"`
	Decode2048      float64 `json:"decode_tokens_per_second_ctx2048"`
	WeightsMB       float64 `json:"weights_mb"`
	PeakRSSMB       float64 `json:"peak_rss_mb,omitempty"`      // this process's, the engine's included; on chromium the browser's processes' together (PSS)
	LoadPeakRSSMB   float64 `json:"load_peak_rss_mb,omitempty"` // on chromium: the same, until the model was loaded
	DecodeSteps     int     `json:"decode_steps"`
	// SIMD backend only: its kernel module, "relaxed" (relaxed SIMD) or "simd".
	SIMDKernels string `json:"simd_kernels,omitempty"`
	// GPU backends only: the adapter, and the dispatches a decode step records.
	Device             string  `json:"device,omitempty"`
	DispatchesPerToken float64 `json:"dispatches_per_token,omitempty"`
	Fallback           string  `json:"fallback,omitempty"`
	// --profile on a GPU with timestamp queries: each kernel's dispatches
	// and GPU time per decode step at context 128, the most first.
	Kernels []kernelTime `json:"kernels,omitempty"`
}

// kernelTime is one kernel's share of a decode step.
type kernelTime struct {
	Kernel     string  `json:"kernel"`
	Dispatches float64 `json:"dispatches"`
	MS         float64 `json:"ms"`
}

// profiler is what a GPU backend that times its dispatches tells a
// benchmark (webgpu.Backend with Options.Profile).
type profiler interface {
	ResetProfile()
	Profile() []webgpu.KernelTime
}

// gpuBackend is what a GPU backend tells a benchmark.
type gpuBackend interface {
	Device() string
	Dispatches() int
}

// simdBackend is what the SIMD backend tells a benchmark.
type simdBackend interface {
	Kernels() (string, error)
}

// runBench measures load time, prompt and decode speed on a synthetic
// checkpoint of the chosen shape and quantization (made once and cached),
// or on --model.
func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench")
	var ef engineFlags
	ef.register(fs)
	shape := fs.String("shape", "phi2", "synthetic model shape: phi2 or tiny (ignored with --model)")
	layers := fs.Int("layers", 0, "layers of the synthetic model (0: the shape's)")
	quant := fs.String("quant", "q4", "quantization of the synthetic model: q4, q8, f16 or f32")
	cache := fs.String("cache", filepath.Join("build", "bench"), "directory for synthetic models")
	threads := fs.Int("threads", runtime.NumCPU(), "threads that compute")
	promptLen := fs.Int("prompt-tokens", 128, "prompt length")
	fs.BoolVar(&ef.profile, "profile", false, "time each GPU kernel (WebGPU on a device with timestamp queries, natively)")
	conv := fs.Bool("convert", true, "convert the synthetic model into brotli shards once; false: quantize the checkpoint while loading")
	steps := fs.Int("decode-tokens", 16, "decode steps timed at each context")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := ef.checkSizes(fs); err != nil {
		return err
	}
	if *promptLen < 1 || int64(*promptLen) > weights.MaxContext.Max {
		return usageErr("--prompt-tokens %d: want 1 to %d", *promptLen, weights.MaxContext.Max)
	}
	if ef.model == "" {
		path, err := benchModel(*cache, *shape, *layers, *quant, *conv)
		if err != nil {
			return err
		}
		ef.model = path
		if !*conv {
			ef.quant = *quant
		}
	}
	if ef.engine != "native" {
		return delegateBench(&ef, fs, args, *threads, stdout)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(*threads, 1)))
	var source loadSource
	ef.watch = source.watch
	start := time.Now()
	m, err := ef.open()
	if err != nil {
		return err
	}
	defer m.Close()
	if os.Getenv("PHI2_ENGINE") == "chromium" { // a guest: the host notes the browser's memory now
		fmt.Fprintln(os.Stderr, loadedMarker)
	}
	res := benchResult{Engine: reportedEngine(ef.engine), Backend: m.Backend(), Model: filepath.Base(ef.model),
		Threads: runtime.GOMAXPROCS(0), KVCache: strings.ToLower(ef.kvCache), LoadMS: ms(time.Since(start)),
		LoadSource: source.of(ef.model), UploadMS: ms(source.busy), Prompt: *promptLen, DecodeSteps: *steps}
	if ef.quant == "" { // else its stored size is not what computes
		res.WeightsMB = float64(m.Info().Bytes) / (1 << 20)
	} else {
		res.Model += "+" + ef.quant // quantized while loading
	}
	res.Fallback = m.Fallback()
	if res.LoadSource == sourceStore {
		if res.StoreReadMBps, res.StoreHashedMBps, err = storeReadRates(context.Background(), ef.model, ef.quant); err != nil {
			return fmt.Errorf("reading the store after the load: %v", err)
		}
	}
	s := m.Session()
	if gpu, isGPU := s.Model().Backend().(gpuBackend); isGPU {
		res.Device = gpu.Device()
	}
	if k, isSIMD := s.Model().Backend().(simdBackend); isSIMD {
		if res.SIMDKernels, err = k.Kernels(); err != nil {
			return err
		}
	}
	bar := newTokenBar("bench", int64(*promptLen+2**steps))
	if err := timeGeneration(s, &res, *promptLen, *steps, bar.add); err != nil {
		return err
	}
	bar.finish()
	res.PeakRSSMB = float64(peakRSS()) / (1 << 20)
	return json.NewEncoder(stdout).Encode(res)
}

// loadedMarker is the line a bench run as the chromium engine's guest
// writes to its standard error once the model is loaded; the host takes
// it out and notes the browser's peak memory so far (load_peak_rss_mb).
const loadedMarker = "phi2 bench: the model is loaded"

// delegateBench runs the bench on another engine (the model is prepared
// here, natively) and completes its result with what only this process
// knows: the threads it gave the engine and the peak memory: for wazero
// of the whole process, engine included, for chromium of the browser.
func delegateBench(ef *engineFlags, fs *flag.FlagSet, args []string, threads int, stdout io.Writer) error {
	var out bytes.Buffer
	ran, err := ef.delegate(fs, "bench", append(args, "--model="+ef.model), &out)
	if !ran {
		return usageErr("unknown engine %q (available: %s)", ef.engine, engineList())
	}
	if err != nil {
		return err
	}
	var res benchResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return fmt.Errorf("engine %s printed no bench result: %q", ef.engine, out.String())
	}
	res.Threads, res.PeakRSSMB = threads, 0
	switch ef.engine {
	case "wazero":
		res.PeakRSSMB = float64(peakRSS()) / (1 << 20)
	case "chromium":
		res.PeakRSSMB = float64(ef.browserPeak) / (1 << 20)
		res.LoadPeakRSSMB = float64(ef.loadPeak) / (1 << 20)
	}
	res.Model = filepath.Base(ef.model) // the engine may have opened it by URL
	return json.NewEncoder(stdout).Encode(res)
}

// timeGeneration times the prompt, then decode steps after it and at the
// end of a 2048-token context, telling fed the tokens it feeds.
func timeGeneration(s *phi2.Session, res *benchResult, promptLen, steps int, fed func(int64)) error {
	m := s.Model()
	vocab := m.Config.VocabSize
	prompt := make([]int32, promptLen)
	for i := range prompt {
		prompt[i] = int32((i*7919 + 13) % vocab)
	}
	t := time.Now()
	if err := s.Feed(prompt); err != nil {
		return err
	}
	id, err := s.Argmax()
	if err != nil {
		return err
	}
	res.TTFTMS = ms(time.Since(t))
	res.PromptTPS = float64(promptLen) / time.Since(t).Seconds()
	fed(int64(promptLen))
	gpu, isGPU := m.Backend().(gpuBackend)
	var before int
	if isGPU {
		before = gpu.Dispatches()
	}
	prof, profiled := m.Backend().(profiler)
	if profiled {
		prof.ResetProfile()
	}
	if res.Decode128, err = decodeRate(s, id, steps, fed); err != nil {
		return err
	}
	if profiled && steps > 0 {
		for _, k := range prof.Profile() {
			res.Kernels = append(res.Kernels, kernelTime{Kernel: k.Kernel,
				Dispatches: float64(k.Count) / float64(steps), MS: k.Total.Seconds() * 1000 / float64(steps)})
		}
	}
	if isGPU && steps > 0 {
		res.DispatchesPerToken = float64(gpu.Dispatches()-before) / float64(steps)
	}
	// The 2048 figure needs the full context; with a shorter --context it
	// stays 0 rather than being measured at another length.
	if long := 2048 - steps - s.Pos(); m.MaxContext() >= 2048 && long > 0 {
		if err := s.Advance(long); err != nil {
			return err
		}
		if res.Decode2048, err = decodeRate(s, id, steps, fed); err != nil {
			return err
		}
	}
	return nil
}

// decodeRate feeds steps tokens one at a time, each the previous argmax.
func decodeRate(s *phi2.Session, id int32, steps int, fed func(int64)) (float64, error) {
	t := time.Now()
	for i := 0; i < steps; i++ {
		if err := s.Feed([]int32{id}); err != nil {
			return 0, err
		}
		var err error
		if id, err = s.Argmax(); err != nil {
			return 0, err
		}
		fed(1)
	}
	return float64(steps) / time.Since(t).Seconds(), nil
}

// benchModel returns a converted synthetic model, making it on first use.
// With convert false it returns the synthetic checkpoint itself, to be
// quantized while it loads (no brotli shards to write or decode).
func benchModel(cache, shape string, layers int, quant string, conv bool) (string, error) {
	var o synth.Options
	switch shape {
	case "phi2":
		o = synth.Phi2()
	case "tiny":
		o = synth.Tiny()
	default:
		return "", usageErr("--shape %q: want phi2 or tiny", shape)
	}
	q, err := convert.ParseQuant(quant)
	if err != nil {
		return "", usageErr("--quant: %v", err)
	}
	if layers > 0 {
		o.Layers = layers
	}
	if err := o.Validate(); err != nil {
		return "", usageErr("%s", strings.TrimPrefix(err.Error(), "synth: "))
	}
	name := fmt.Sprintf("%s-L%d", shape, o.Layers)
	out := filepath.Join(cache, name+"-"+quant)
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
		return out, nil
	}
	hf := filepath.Join(cache, name+"-hf")
	if _, err := os.Stat(filepath.Join(hf, "model.safetensors")); err != nil {
		bar := newProgressBar("synth "+name, synth.FileSize(o))
		if err := synth.WriteProgress(hf, o, bar.update); err != nil {
			return "", err
		}
		bar.finish()
	}
	if !conv {
		return hf, nil
	}
	err = load.Open(context.Background(), hf, load.Options{}, func(src *load.Model) error {
		bar := newProgressBar("convert "+quant, src.Bytes)
		defer bar.finish()
		return convert.Run(src, out, convert.Options{Quant: q, Progress: bar.update})
	})
	return out, err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

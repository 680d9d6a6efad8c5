// Package phi2web runs Phi-2 from a model reference: the one way every
// entry point (the phi2 command in each of its builds, the page's worker)
// opens a model, picks the backend that computes, generates, and goes on
// on the SIMD backend when a GPU device is lost.
//
//	m, err := phi2web.Open(ctx, "https://huggingface.co/microsoft/phi-2/resolve/main/", phi2web.Options{Backend: "auto"})
//	…
//	res, err := m.Generate(ctx, tok.Encode("def fib(n):"), generate.Options{MaxTokens: 64, EOS: 50256}, onToken)
//
// The backends a build offers (Backends) are those it can compute on: the
// pure-Go reference (cpu) everywhere, the WebAssembly SIMD kernels (simd)
// in the wasm builds, WebGPU (webgpu) in a browser. A model URL goes
// through the platform's model store (IndexedDB in a browser, a cache
// directory elsewhere; runtime/load).
package phi2web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/store"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Options configure Open. The zero value opens a model on the build's
// fastest backend, through the platform's store.
type Options struct {
	// Backend is what computes: "auto" or "" (WebGPU on a hardware GPU,
	// else SIMD, else cpu: a software adapter is slower than the CPU it
	// runs on), or one of Backends.
	Backend string
	// Strict makes a WebGPU device that cannot be had (missing, short of
	// limits, failing its self-test) an error wrapping ErrBackend, where
	// otherwise the SIMD backend takes over. A device lost later always
	// moves the model to SIMD.
	Strict bool
	// Threads is how many goroutines the cpu backend uses (0: all CPUs).
	// The SIMD backend's threads are its host's.
	Threads int
	// Quant: see load.Options.Quant.
	Quant string
	// Context caps the KV cache in tokens (0: the model's context).
	Context int
	// KVCache is the cache's dtype: "f16" (also for ""), "f32" (the exact
	// path, twice the memory), or "q8" (8 bits per value with a scale per
	// head and position: the cpu and SIMD backends). RATIONALE.md says why
	// F16 is the default.
	KVCache string
	// Store keeps models given by URL; nil means the platform's (see
	// OpenStore). InPlace reads URLs in place instead, keeping nothing.
	Store   store.Store
	InPlace bool
	// MaxStorageBytes, when positive, refuses to store a bigger model.
	MaxStorageBytes int64
	// Progress, when set, is called as the model arrives (load.Progress).
	Progress func(load.Progress)
	// OnFallback, when set, is called when a lost GPU device has moved the
	// model to the SIMD backend, with the reason, before work goes on.
	OnFallback func(reason string)
	// WebGPUFault injects a WebGPU failure, for tests of the fallback
	// (webgpu.Options.Fault).
	WebGPUFault string
	// Profile times every GPU dispatch where the device allows it
	// (webgpu.Options.Profile), for benchmarks.
	Profile bool

	fallback string // why a backend made for a fallback takes over
}

// ErrBackend is wrapped by the error of a backend that cannot start.
var ErrBackend = errors.New("backend unavailable")

// Model is a model loaded on a backend, with one session whose tokens
// carry over from one Generate to the next.
type Model struct {
	ref  string
	o    Options
	info load.Model // as loaded, without its loader
	kv   tensor.DType
	be   chosen
	m    *phi2.Model
	s    *phi2.Session
	ids  []int32 // what the session holds
}

// chosen is a backend made for a load, and why it is not the one asked
// for.
type chosen struct {
	backend.Backend
	adapter  string
	fallback string
}

// Open loads the model ref names (a path or an http(s) URL: see
// runtime/load) onto the backend o asks for.
func Open(ctx context.Context, ref string, o Options) (*Model, error) {
	if o.Backend == "" {
		o.Backend = "auto"
	}
	switch {
	case !slices.Contains([]string{"auto", "webgpu", "simd", "cpu"}, o.Backend):
		return nil, fmt.Errorf("backend %q: want auto, webgpu, simd or cpu", o.Backend)
	case o.Backend != "auto" && !slices.Contains(Backends, o.Backend):
		return nil, fmt.Errorf("%w: %s is not in this build (it has %s)", ErrBackend, o.Backend, strings.Join(Backends, ", "))
	}
	kv, err := cacheType(o.KVCache)
	if err != nil {
		return nil, err
	}
	if err := checkSizes(o); err != nil {
		return nil, err
	}
	be, err := newBackend(o.Backend, o)
	if err != nil {
		return nil, err
	}
	m := &Model{ref: ref, o: o, kv: kv}
	err = m.load(ctx, be)
	if err != nil && lostDevice(err) && !o.Strict {
		// Lost while the weights went up: SIMD, as for a failed start.
		if be, err = takeOver(err.Error()); err == nil {
			err = m.load(ctx, be)
		}
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// load loads the model onto be, which it owns from then on, and opens a
// session.
func (m *Model) load(ctx context.Context, be chosen) error {
	m.be = be
	o, closeStore, err := m.loadOptions(ctx)
	if err != nil {
		m.Close()
		return err
	}
	defer closeStore()
	defer loadGC()()
	err = load.Open(ctx, m.ref, o, func(l *load.Model) error {
		if m.m != nil { // a stored shard was corrupt: loaded again
			m.m.Close()
			m.m = nil
		}
		m.info = *l
		m.info.Loader = nil
		po := phi2.Options{MaxContext: m.o.Context, KVCache: m.kv}
		var err error
		m.m, err = phi2.Load(l.Loader, be.Backend, po) // the backend itself: callers ask it for more (bench)
		return err
	})
	if err == nil {
		m.s, err = m.m.NewSession()
	}
	if err != nil {
		m.Close()
		return err
	}
	return nil
}

// loadOptions are the load settings of m's options, with the platform's
// store opened where a URL needs one and none is given; the function it
// returns closes that store.
func (m *Model) loadOptions(ctx context.Context) (load.Options, func(), error) {
	o := load.Options{Quant: m.o.Quant, MaxStorageBytes: m.o.MaxStorageBytes, Progress: m.o.Progress, Codec: codec}
	if m.o.InPlace || !isURL(m.ref) {
		return o, func() {}, nil
	}
	o.Store, o.Lock = m.o.Store, lockModel
	if o.Store != nil {
		return o, func() {}, nil
	}
	st, closeStore, err := OpenStore(ctx)
	o.Store = st
	return o, closeStore, err
}

// isURL reports whether ref is an http(s) URL.
func isURL(ref string) bool {
	r := strings.ToLower(ref)
	return strings.HasPrefix(r, "http://") || strings.HasPrefix(r, "https://")
}

// Close frees the session, the model and its backend.
func (m *Model) Close() {
	if m.s != nil {
		m.s.Close()
	}
	if m.m != nil {
		m.m.Close()
	}
	if m.be.Backend != nil {
		m.be.Close()
	}
	m.s, m.m, m.be, m.ids = nil, nil, chosen{}, nil
}

// Closed reports whether m was closed, by Close or by a fallback that
// could not load the model again.
func (m *Model) Closed() bool { return m.m == nil }

// Backend names the backend computing: "webgpu", "simd" or "cpu" ("" once
// closed).
func (m *Model) Backend() string {
	if m.be.Backend == nil {
		return ""
	}
	return m.be.Name()
}

// Adapter describes the device: the GPU adapter, or the SIMD threads.
func (m *Model) Adapter() string { return m.be.adapter }

// Fallback says why the backend is not the one asked for ("" when it is).
func (m *Model) Fallback() string { return m.be.fallback }

// Info is what was loaded: format, quantization, sizes and, where it came
// through the store, its key. Its Loader is nil.
func (m *Model) Info() load.Model { return m.info }

// Config is the model's configuration.
func (m *Model) Config() weights.Config { return m.m.Config }

// MaxContext is the session's context in tokens.
func (m *Model) MaxContext() int { return m.m.MaxContext() }

// KVCache names the session's KV cache as the KVCache option does: "f32",
// "f16" or "q8".
func (m *Model) KVCache() string {
	if m.m.KVCache() == tensor.KVQ8 {
		return "q8"
	}
	return strings.ToLower(m.m.KVCache().String())
}

// Pos is how many tokens the session holds.
func (m *Model) Pos() int { return m.s.Pos() }

// Session resets the model's session and hands it over, for callers that
// feed it themselves (perplexity, benchmarks): a lost device ends their
// work with its error.
func (m *Model) Session() *phi2.Session {
	m.s.Reset()
	m.ids = nil
	return m.s
}

// cacheType is the dtype a KVCache option names ("": F16).
func cacheType(s string) (tensor.DType, error) {
	switch strings.ToLower(s) {
	case "f32":
		return tensor.F32, nil
	case "", "f16":
		return tensor.F16, nil
	case "q8":
		return tensor.KVQ8, nil
	}
	return 0, fmt.Errorf("KV cache %q: want f32, f16 or q8", s)
}

// checkSizes refuses thread counts and contexts outside the engine's
// limits before anything is sized by them.
func checkSizes(o Options) error {
	if o.Threads < 0 {
		return fmt.Errorf("threads %d: want 0 (all CPUs) or more", o.Threads)
	}
	if err := weights.MaxThreads.Check(int64(o.Threads)); err != nil {
		return err
	}
	if o.Context < 0 {
		return fmt.Errorf("context %d: want 0 (the model's) or more", o.Context)
	}
	return weights.MaxContext.Check(int64(o.Context))
}

// Package host runs the engine compiled to WebAssembly (GOOS=wasip1) under
// wazero, with the SIMD kernel module as its device.
//
// A Host owns one shared memory (the device memory of docs/kernels.md), N
// instances of the kernel module that import it, and the host module "phi2"
// through which the guest grows and fills the device memory and submits
// jobs. Each kernel instance belongs to one thread: N−1 worker goroutines
// and the goroutine that runs the guest, which takes a share of every run.
//
// # Notes
//
// The guest is single-threaded; every host function runs on its goroutine,
// so the device memory only changes size between runs.
package host

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"

	"github.com/phi2web/phi2web/runtime/weights"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Options configures New. The zero value runs the project's kernels on
// runtime.NumCPU() threads with no arguments, environment, output or files.
type Options struct {
	// Workers is the number of threads that run kernel jobs; 0 means
	// runtime.NumCPU().
	Workers int
	// Kernels is the kernel module; nil means the project's (package
	// kernels).
	Kernels *KernelModule
	// Stdin, Stdout and Stderr are the guest's standard streams; nil
	// streams are empty or discard what is written.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Args are the guest's arguments, the program name first.
	Args []string
	// Env is the guest's environment.
	Env map[string]string
	// Mounts are the host directories the guest sees.
	Mounts []Mount
	// CacheDir, when set, keeps compiled code there between processes
	// (the newest few modules).
	CacheDir string
}

// KernelModule is a compiled-to-binary kernel module and its exports in job
// id order: a job with kernel id i calls export Names[i].
type KernelModule struct {
	Wasm  []byte
	Names []string
}

// Mount exposes the host directory Dir to the guest at GuestPath.
type Mount struct {
	Dir, GuestPath string
	ReadOnly       bool
}

// Host is a wazero runtime with the device memory, the kernel instances and
// the phi2 host module. It runs one guest at a time.
type Host struct {
	opts   Options
	rt     wazero.Runtime
	device api.Memory
	pool   *pool
	names  []string
}

// New compiles the kernel module once, creates the device memory and
// instantiates one kernel instance per worker. Close releases it all.
func New(ctx context.Context, o Options) (*Host, error) {
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if err := weights.MaxThreads.Check(int64(o.Workers)); err != nil {
		return nil, fmt.Errorf("host: %v", err) // each worker is a kernel instance
	}
	km := o.Kernels
	if km == nil {
		km = defaultKernels()
	}
	cfg := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads).
		WithMemoryCapacityFromMax(true)
	if o.CacheDir != "" {
		pruneCache(o.CacheDir, cacheKeep)
		cache, err := wazero.NewCompilationCacheWithDir(o.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("host: compilation cache %s: %w", o.CacheDir, err)
		}
		cfg = cfg.WithCompilationCache(cache)
	}
	h := &Host{opts: o, rt: wazero.NewRuntimeWithConfig(ctx, cfg), names: km.Names}
	if err := h.setUp(ctx, km); err != nil {
		h.Close(ctx)
		return nil, err
	}
	return h, nil
}

// setUp instantiates the memory, the kernels, WASI and the phi2 module.
func (h *Host) setUp(ctx context.Context, km *KernelModule) error {
	ctx = experimental.WithMemoryAllocator(ctx, mmapAllocator())
	mem, err := h.rt.InstantiateWithConfig(ctx, memoryModule, wazero.NewModuleConfig().WithName("env"))
	if err != nil {
		return fmt.Errorf("host: device memory: %w", err)
	}
	h.device = mem.ExportedMemory("memory")
	if len(km.Wasm) == 0 {
		return errors.New("host: the kernel module is empty: build wasm/kernels/kernels.wasm")
	}
	compiled, err := h.rt.CompileModule(ctx, km.Wasm)
	if err != nil {
		return fmt.Errorf("host: kernel module: %w", err)
	}
	instances := make([]*instance, h.opts.Workers)
	for i := range instances {
		cfg := wazero.NewModuleConfig().WithName(fmt.Sprintf("kernels-%d", i)).WithStartFunctions()
		mod, err := h.rt.InstantiateModule(ctx, compiled, cfg)
		if err != nil {
			return fmt.Errorf("host: kernel instance %d: %w", i, err)
		}
		if instances[i], err = newInstance(mod, km.Names); err != nil {
			return err
		}
	}
	h.pool = newPool(instances, h.opts.Stderr, km.Names)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, h.rt); err != nil {
		return fmt.Errorf("host: wasi: %w", err)
	}
	return h.instantiatePhi2(ctx)
}

// Workers is the number of threads that run jobs.
func (h *Host) Workers() int { return h.opts.Workers }

// Close stops the workers and releases the runtime. It is idempotent.
func (h *Host) Close(ctx context.Context) error {
	if h.pool != nil {
		h.pool.stop()
		h.pool = nil
	}
	if h.rt == nil {
		return nil
	}
	err := h.rt.Close(ctx)
	h.rt = nil
	return err
}

// moduleConfig is the guest's configuration: arguments, environment,
// streams, files, real clocks and real randomness.
func (h *Host) moduleConfig() wazero.ModuleConfig {
	o := h.opts
	cfg := wazero.NewModuleConfig().WithName("").WithArgs(o.Args...).
		WithSysNanotime().WithSysWalltime().WithSysNanosleep().WithRandSource(rand.Reader)
	keys := make([]string, 0, len(o.Env))
	for k := range o.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cfg = cfg.WithEnv(k, o.Env[k])
	}
	if o.Stdin != nil {
		cfg = cfg.WithStdin(o.Stdin)
	}
	if o.Stdout != nil {
		cfg = cfg.WithStdout(o.Stdout)
	}
	if o.Stderr != nil {
		cfg = cfg.WithStderr(o.Stderr)
	}
	fs := wazero.NewFSConfig()
	for _, m := range o.Mounts {
		if m.ReadOnly {
			fs = fs.WithReadOnlyDirMount(m.Dir, m.GuestPath)
		} else {
			fs = fs.WithDirMount(m.Dir, m.GuestPath)
		}
	}
	return cfg.WithFSConfig(fs)
}

//go:build !wasm

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/wasm/host"
)

// delegate runs the whole command on another engine when one is chosen,
// and reports whether it did: the wasip1 build of phi2 under wasm/host
// (wazero) or its js build in headless Chromium (chromium), with the same
// arguments, the engine given as native (the guest computes in its own
// process) and the backend made explicit. The guest prints its own results
// and errors; a failure comes back as its exit status.
func (e *engineFlags) delegate(flags *flag.FlagSet, cmd string, args []string, stdout io.Writer) (bool, error) {
	if e.engine != "wazero" && e.engine != "chromium" {
		return false, nil
	}
	backends := engines[e.engine]
	if e.backend == "" {
		e.backend = backends[0]
	}
	if !slices.Contains(backends, e.backend) {
		return true, usageErr("backend %q is not available on engine %q (available: %v)", e.backend, e.engine, backends)
	}
	threads := 0
	if f := flags.Lookup("threads"); f != nil {
		threads, _ = strconv.Atoi(f.Value.String())
	}
	if e.engine == "chromium" {
		return true, e.runChromium(flags, cmd, args, threads, stdout)
	}
	return true, e.runWazero(flags, cmd, args, threads, stdout)
}

// runWazero runs the command in phi2.wasm under wasm/host; threads sets
// the host's kernel threads.
func (e *engineFlags) runWazero(flags *flag.FlagSet, cmd string, args []string, threads int, stdout io.Writer) error {
	env := map[string]string{"PHI2_ENGINE": e.engine, "PHI2_PROGRESS": guestProgress()}
	if isURL(e.model) && os.Getenv("PHI2_STORE") != "off" {
		// The guest has no network: the model is fetched (or converted)
		// into the cache here, and the guest finds it stored, offline.
		if err := e.fill(); err != nil {
			return fmt.Errorf("%s: %w", e.model, err)
		}
		dir, err := phi2web.CacheDir()
		if err == nil {
			dir, err = filepath.Abs(dir)
		}
		if err != nil {
			return err
		}
		env["PHI2_CACHE"] = dir
	}
	wasm, err := guestModule()
	if err != nil {
		return err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	env["PWD"] = cwd
	guestArgs := append([]string{"phi2", cmd}, dropFlags(flags, args, "engine", "backend", "threads")...)
	guestArgs = append(guestArgs, "--engine=native", "--backend="+e.backend)
	ctx := context.Background()
	h, err := host.New(ctx, host.Options{
		Workers: threads,
		Stdout:  stdout, Stderr: guestStderr,
		Args:     guestArgs,
		Env:      env,
		Mounts:   []host.Mount{{Dir: "/", GuestPath: "/", ReadOnly: true}},
		CacheDir: host.DefaultCacheDir(),
	})
	if err != nil {
		return fmt.Errorf("wazero engine: %w", err)
	}
	defer h.Close(ctx)
	code, err := h.Run(ctx, wasm)
	switch {
	case err != nil:
		return fmt.Errorf("wazero engine: %w", err)
	case code != 0:
		return exitStatus(code)
	}
	return nil
}

// fill makes the model of e.model complete in the platform's store.
func (e *engineFlags) fill() error {
	ctx := context.Background()
	st, closeStore, err := e.store(ctx)
	if err == nil && st == nil {
		st, closeStore, err = phi2web.OpenStore(ctx)
	}
	if err != nil {
		return err
	}
	defer closeStore()
	_, err = load.Fill(ctx, e.model, load.Options{Store: st, Quant: e.quant, Progress: progressReporter(nil)})
	if errors.Is(err, load.ErrQuant) {
		return usageErr("--quant: %v", err)
	}
	return err
}

// guestModule reads phi2.wasm from $PHI2_WASM or beside this executable.
func guestModule() ([]byte, error) {
	path := os.Getenv("PHI2_WASM")
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("wazero engine: %w", err)
		}
		path = filepath.Join(filepath.Dir(exe), "phi2.wasm")
	}
	wasm, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("wazero engine: %s not found: run 'make build' to build it beside phi2, or set PHI2_WASM", path)
	}
	return wasm, err
}

// dropFlags returns args without the named flags and their values, using
// flags to know which flags take a separate value.
func dropFlags(flags *flag.FlagSet, args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return append(out, args[i:]...)
		}
		name, _, inline := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		f := flags.Lookup(name)
		takesNext := f != nil && !inline && !isBool(f)
		if slices.Contains(names, name) {
			if takesNext {
				i++
			}
			continue
		}
		out = append(out, a)
		if takesNext && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

package chromium

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Options configures Run.
type Options struct {
	// Wasm is the path of a GOOS=js GOARCH=wasm program. The wasm_exec.js
	// beside it is used if present, else the one of `go env GOROOT`.
	Wasm string
	// Args are the program's arguments, argv[0] first. In Args and Env,
	// "{origin}" stands for the page's origin (http://127.0.0.1:port),
	// where Files are served.
	Args []string
	// Env is the program's environment.
	Env map[string]string
	// Files are extra routes on the page's origin, for example "/model/"
	// to a handler that serves what the program fetches. They may not
	// shadow the runner's own paths.
	Files map[string]http.Handler
	// FS is a host directory the program may read, at its host path;
	// "" gives it none.
	FS string
	// Writable is a host directory the program may read and write, at its
	// host path (for example its TMPDIR); "" gives it none.
	Writable string
	// Dir is the program's working directory; "" means "/".
	Dir string
	// Stdout and Stderr receive the program's output; nil discards it.
	Stdout, Stderr io.Writer
	// Timeout ends a run that takes longer; 0 means no limit.
	Timeout time.Duration
	// Flags are extra Chromium flags.
	Flags []string
	// WebGPU is what navigator.gpu offers the program.
	WebGPU WebGPU
	// Copies runs the program this many times at once, each in its own
	// worker of the page (same origin, like tabs of one site), with
	// PHI2_COPY set to 0, 1, …; the run ends when all have exited, with
	// the largest exit code. 0 means 1.
	Copies int
	// Profile is Chromium's user data directory, kept after the run (so
	// that IndexedDB persists from run to run); "" uses a fresh one. The
	// page is served on the same port as in the profile's last run, where
	// that port is free: storage belongs to an origin, port included.
	Profile string
	// Threads is the number of threads that run SIMD kernel jobs; 0 means 1.
	Threads int
	// PeakMemory, when set, holds the most memory Chromium's processes
	// have held together so far in the run, in bytes (their proportional
	// set sizes, sampled every 200 ms; 0 outside Linux): a caller may read
	// it while the run goes on, and once Run returns it covers the run.
	PeakMemory *atomic.Int64
}

// WebGPU selects the WebGPU the program sees, so that fallbacks can be
// tested. No Chromium flag turns WebGPU off once --enable-unsafe-webgpu
// is given (which the CPU adapter needs), so the last two are made by
// leaving that flag out and by the worker's script.
type WebGPU int

const (
	// WebGPUOn is WebGPU as Chromium has it: on the CPU where there is no
	// GPU.
	WebGPUOn WebGPU = iota
	// WebGPUNoAdapter leaves navigator.gpu, but requestAdapter() resolves
	// to null.
	WebGPUNoAdapter
	// WebGPUAbsent removes navigator.gpu, as in a browser without WebGPU.
	WebGPUAbsent
)

// Liveness of the page: it reports every heartbeatEvery; a program that
// has not started within startWithin, or a page silent for silentFor, has
// failed.
const (
	heartbeatEvery = 500 * time.Millisecond
	startWithin    = 60 * time.Second
	silentFor      = 15 * time.Second
)

// baseFlags make headless Chromium quiet and quick to start.
var baseFlags = []string{
	"--headless=new", "--no-sandbox",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--no-first-run", "--no-default-browser-check", "--disable-quic", "--disable-dev-shm-usage",
	"--disable-background-timer-throttling", "--disable-renderer-backgrounding",
	"--disable-extensions", "--mute-audio",
}

// Run runs the program o.Wasm in headless Chromium and returns its exit
// code. It returns an error, having stopped Chromium, when Chromium or the
// page dies first, when ctx ends or when o.Timeout passes.
func Run(ctx context.Context, o Options) (exitCode int, err error) {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	browser, err := Find()
	if err != nil {
		return 0, err
	}
	srv, err := newServer(o)
	if err != nil {
		return 0, err
	}
	defer srv.close()
	ln, err := listen(o.Profile)
	if err != nil {
		return 0, fmt.Errorf("chromium: %w", err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()

	profile := o.Profile
	if profile == "" {
		if profile, err = os.MkdirTemp("", "phi2-chromium-"); err != nil {
			return 0, fmt.Errorf("chromium: %w", err)
		}
		defer removeProfile(profile)
	}
	args := append(append([]string{}, baseFlags...), "--user-data-dir="+profile)
	if o.WebGPU == WebGPUOn {
		args = append(args, "--enable-unsafe-webgpu") // else the CPU adapter is blocklisted
	}
	args = append(args, o.Flags...)
	args = append(args, fmt.Sprintf("http://%s/", ln.Addr()))
	cmd := exec.Command(browser, args...)
	// Chromium keeps its shared memory files in TMPDIR
	// (--disable-dev-shm-usage); they go with the profile.
	if err := os.MkdirAll(filepath.Join(profile, "tmp"), 0o700); err != nil {
		return 0, fmt.Errorf("chromium: %w", err)
	}
	cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Join(profile, "tmp"))
	log := &Tail{}
	cmd.Stdout, cmd.Stderr = log, log
	ownProcessGroup(cmd)
	cmd.WaitDelay = time.Second // helpers that outlive Chromium may hold its output pipe
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("chromium: starting %s: %w", browser, err)
	}
	var waitErr error
	exited := make(chan struct{}) // closed once waitErr is set
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	if o.PeakMemory != nil {
		sampled := make(chan struct{})
		go func() { watchMemory(cmd.Process.Pid, exited, o.PeakMemory); close(sampled) }()
		defer func() { <-sampled }() // after Chromium is gone
	}
	defer func() {
		killProcessGroup(cmd)
		<-exited
	}()
	return srv.wait(ctx, exited, &waitErr, log, o.Timeout)
}

// wait returns when the program exits, Chromium exits, the page goes
// silent or ctx ends.
func (s *server) wait(ctx context.Context, exited <-chan struct{}, waitErr *error, log *Tail, timeout time.Duration) (int, error) {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	start := time.Now()
	for {
		select {
		case code := <-s.exit:
			return code, nil
		case <-exited:
			err := *waitErr
			if err == nil {
				err = errors.New("exit status 0")
			}
			return 0, fmt.Errorf("chromium exited (%v) before the program did; its last output: %s", err, log.LastLines(5))
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && timeout > 0 {
				return 0, fmt.Errorf("chromium: the program ran longer than %v", timeout)
			}
			return 0, fmt.Errorf("chromium: %w", ctx.Err())
		case <-tick.C:
			last, started := s.times()
			if started.IsZero() && time.Since(start) > startWithin {
				return 0, fmt.Errorf("chromium: the program did not start within %v; Chromium's last output: %s", startWithin, log.LastLines(5))
			}
			if !last.IsZero() && time.Since(last) > silentFor {
				return 0, fmt.Errorf("chromium: the runner page stopped responding (crashed?); Chromium's last output: %s", log.LastLines(5))
			}
		}
	}
}

// removeProfile deletes Chromium's profile directory, retrying while the
// killed processes finish writing.
func removeProfile(dir string) {
	for range 20 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

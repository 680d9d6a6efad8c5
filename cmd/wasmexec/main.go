// Command wasmexec runs a GOOS=wasip1 program, typically a test binary,
// under wasm/host, so that code using the device backend (wasm/simd)
// runs with the real kernels:
//
//	GOOS=wasip1 GOARCH=wasm go test -exec "$PWD/build/wasmexec" ./wasm/simd
//
// The program gets the arguments after its path, the environment (PWD set
// to the working directory, which the Go wasip1 runtime takes as its own),
// the standard streams and the host's file system at /. Its exit status is
// relayed. PHI2_THREADS sets the number of kernel threads (default: the
// number of CPUs). Compiled code is not cached: test binaries change with
// every build.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web/wasm/host"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: wasmexec PROGRAM.wasm [ARGS...]")
		return 2
	}
	code, err := runGuest(args[0], args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmexec: %s\n", err)
		return 1
	}
	return code
}

func runGuest(path string, args []string) (int, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	env["PWD"] = cwd
	workers := 0
	if s := os.Getenv("PHI2_THREADS"); s != "" {
		if workers, err = strconv.Atoi(s); err != nil || workers < 1 {
			return 0, fmt.Errorf("PHI2_THREADS=%q is not a positive number", s)
		}
	}
	ctx := context.Background()
	h, err := host.New(ctx, host.Options{
		Workers: workers,
		Stdin:   os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Args:   append([]string{path}, args...),
		Env:    env,
		Mounts: []host.Mount{{Dir: "/", GuestPath: "/"}},
	})
	if err != nil {
		return 0, err
	}
	defer h.Close(ctx)
	return h.Run(ctx, wasm)
}

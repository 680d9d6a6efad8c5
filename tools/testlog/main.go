// Command testlog runs a `go test -json` command and reports as it goes:
// a line per package when it finishes, the whole output of what failed,
// and, while nothing finishes, which packages are still running. It exits
// with the command's status (1 when a failure was seen and the command
// still exited 0).
//
//	testlog [-stage NAME] [-every 60s] -- go test -json ./...
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	stage := flag.String("stage", "", "name of the run, printed at its start and end")
	every := flag.Duration("every", time.Minute, "how long without a finished package before the running ones are named")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: testlog [-stage NAME] [-every D] -- command args…")
		os.Exit(2)
	}
	os.Exit(run(flag.Args(), *stage, *every, os.Stdout))
}

// run runs args, reading its stdout as go test -json events.
func run(args []string, stage string, every time.Duration, out io.Writer) int {
	start := time.Now()
	if stage != "" {
		fmt.Fprintf(out, "== %s: %s\n", stage, strings.Join(args, " "))
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testlog:", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testlog:", err)
		return 1
	}
	r := newReport(out, start)
	if stage != "" {
		r.tag = fmt.Sprintf("%-8s ", stage)
	}
	r.read(pipe, every)
	code := 0
	if err := cmd.Wait(); err != nil {
		code = 1
		if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() > 0 {
			code = exit.ExitCode()
		}
	}
	if code == 0 && r.failed > 0 {
		code = 1
	}
	if stage != "" {
		fmt.Fprintf(out, "== %s: %s in %s\n", stage, r.summary(code), time.Since(start).Round(time.Second))
	}
	return code
}

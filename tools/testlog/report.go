package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json), build events
// included.
type event struct {
	Action      string
	Package     string
	ImportPath  string // build-output, build-fail
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
}

// pkg is what is known of a package whose tests run.
type pkg struct {
	started time.Time
	lines   []outputLine
	failed  map[string]bool // tests that failed
	skipped []string        // tests that were skipped
}

type outputLine struct{ test, text string }

// report prints the events of one go test run.
type report struct {
	out     io.Writer
	tag     string // begins each line: the stage's name, as runs may go on together
	start   time.Time
	now     func() time.Time
	running map[string]*pkg
	build   map[string][]string // build output by import path
	last    time.Time           // when a package last finished, or the start

	passed, failed, noTests int
}

func newReport(out io.Writer, start time.Time) *report {
	return &report{out: out, start: start, now: time.Now, running: map[string]*pkg{},
		build: map[string][]string{}, last: start}
}

// read handles the lines of r until it ends, naming the running packages
// whenever none finished for every.
func (r *report) read(in io.Reader, every time.Duration) {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	tick := time.NewTicker(every / 4)
	defer tick.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return
			}
			r.line(line)
		case <-tick.C:
			if r.now().Sub(r.last) >= every {
				r.heartbeat()
			}
		}
	}
}

// line handles one line of the command's output; what is not an event is
// printed as it is.
func (r *report) line(text string) {
	var e event
	if !strings.HasPrefix(text, "{") || json.Unmarshal([]byte(text), &e) != nil || e.Action == "" {
		fmt.Fprintln(r.out, text)
		return
	}
	switch e.Action {
	case "build-output":
		r.build[e.ImportPath] = append(r.build[e.ImportPath], e.Output)
		return
	case "build-fail":
		return
	}
	p := r.running[e.Package]
	if p == nil {
		p = &pkg{started: r.now(), failed: map[string]bool{}}
		r.running[e.Package] = p
	}
	switch {
	case e.Action == "output":
		p.lines = append(p.lines, outputLine{e.Test, e.Output})
	case e.Test != "" && e.Action == "fail":
		p.failed[e.Test] = true
	case e.Test != "" && e.Action == "skip":
		p.skipped = append(p.skipped, e.Test)
	case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		r.finish(e, p)
	}
}

// finish prints a package's result line and, when it failed, what its
// failing tests (or its build) printed.
func (r *report) finish(e event, p *pkg) {
	delete(r.running, e.Package)
	r.last = r.now()
	if e.Action == "skip" {
		r.noTests++
		return
	}
	status := "ok  "
	if e.Action == "fail" {
		status = "FAIL"
		r.failed++
	} else {
		r.passed++
	}
	note := ""
	if len(p.skipped) > 0 {
		note = fmt.Sprintf("  (skipped: %s)", strings.Join(p.skipped, ", "))
	}
	fmt.Fprintf(r.out, "%s%s %-52s %7.1fs  [%s]%s\n", r.tag, status, e.Package, e.Elapsed, r.clock(), note)
	if e.Action != "fail" {
		return
	}
	if e.FailedBuild != "" {
		fmt.Fprint(r.out, strings.Join(r.build[e.FailedBuild], ""))
		return
	}
	for _, l := range p.lines {
		if l.test == "" || p.failed[l.test] {
			fmt.Fprint(r.out, l.text)
		}
	}
}

// heartbeat names the packages still running.
func (r *report) heartbeat() {
	r.last = r.now()
	if len(r.running) == 0 {
		fmt.Fprintf(r.out, "%s     … building  [%s]\n", r.tag, r.clock())
		return
	}
	names := make([]string, 0, len(r.running))
	for name, p := range r.running {
		names = append(names, fmt.Sprintf("%s (%s)", name, r.now().Sub(p.started).Round(time.Second)))
	}
	slices.Sort(names)
	fmt.Fprintf(r.out, "%s     … running: %s  [%s]\n", r.tag, strings.Join(names, ", "), r.clock())
}

// clock is the time since the run started.
func (r *report) clock() string { return r.now().Sub(r.start).Round(time.Second).String() }

// summary counts the packages by result.
func (r *report) summary(code int) string {
	if r.passed+r.failed+r.noTests == 0 { // not go test
		if code != 0 {
			return fmt.Sprintf("FAILED (exit status %d)", code)
		}
		return "passed"
	}
	s := fmt.Sprintf("%d packages passed, %d failed", r.passed, r.failed)
	if r.noTests > 0 {
		s += fmt.Sprintf(", %d without tests", r.noTests)
	}
	if code != 0 && r.failed == 0 {
		s += fmt.Sprintf(", exit status %d", code)
	}
	return s
}

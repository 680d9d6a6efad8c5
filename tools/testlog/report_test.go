package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stream is a go test -json run: a package that passes with a skipped
// test, one whose test fails beside a passing one, one without tests and
// one that does not build.
const stream = `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestOK"}
{"Action":"output","Package":"m/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"m/a","Test":"TestOK","Output":"quiet line of a passing test\n"}
{"Action":"pass","Package":"m/a","Test":"TestOK","Elapsed":0.1}
{"Action":"skip","Package":"m/a","Test":"TestLater","Elapsed":0}
{"Action":"output","Package":"m/a","Output":"ok  \tm/a\t0.2s\n"}
{"Action":"pass","Package":"m/a","Elapsed":0.2}
{"Action":"start","Package":"m/b"}
{"Action":"output","Package":"m/b","Test":"TestFine","Output":"fine test output\n"}
{"Action":"pass","Package":"m/b","Test":"TestFine","Elapsed":0.1}
{"Action":"output","Package":"m/b","Test":"TestBroken","Output":"    b_test.go:9: got 1, want 2\n"}
{"Action":"output","Package":"m/b","Test":"TestBroken","Output":"--- FAIL: TestBroken (0.00s)\n"}
{"Action":"fail","Package":"m/b","Test":"TestBroken","Elapsed":0}
{"Action":"output","Package":"m/b","Output":"FAIL\n"}
{"Action":"fail","Package":"m/b","Elapsed":1.5}
{"Action":"start","Package":"m/c"}
{"Action":"output","Package":"m/c","Output":"?   \tm/c\t[no test files]\n"}
{"Action":"skip","Package":"m/c","Elapsed":0}
{"ImportPath":"m/d","Action":"build-output","Output":"# m/d\n"}
{"ImportPath":"m/d","Action":"build-output","Output":"d.go:3:1: syntax error\n"}
{"ImportPath":"m/d","Action":"build-fail"}
{"Action":"start","Package":"m/d"}
{"Action":"output","Package":"m/d","Output":"FAIL\tm/d [build failed]\n"}
{"Action":"fail","Package":"m/d","Elapsed":0,"FailedBuild":"m/d"}
`

func TestReport(t *testing.T) {
	var out bytes.Buffer
	r := newReport(&out, time.Now())
	r.read(strings.NewReader(stream+"not an event\n"), time.Hour)
	got := out.String()
	for _, want := range []string{
		"ok   m/a", "(skipped: TestLater)",
		"FAIL m/b", "b_test.go:9: got 1, want 2", "--- FAIL: TestBroken",
		"FAIL m/d", "d.go:3:1: syntax error",
		"not an event",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"quiet line of a passing test", "fine test output", "m/c"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the report shows %q:\n%s", unwanted, got)
		}
	}
	if s := r.summary(1); s != "1 packages passed, 2 failed, 1 without tests" {
		t.Errorf("summary %q", s)
	}
}

// TestHeartbeat: while no package finishes, the running ones are named
// with how long they have run.
func TestHeartbeat(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	clock := start
	r := newReport(&out, start)
	r.now = func() time.Time { return clock }
	r.line(`{"Action":"start","Package":"m/slow"}`)
	clock = clock.Add(90 * time.Second)
	r.heartbeat()
	if got := out.String(); !strings.Contains(got, "running: m/slow (1m30s)") {
		t.Errorf("heartbeat printed %q", got)
	}
}

// TestRunExitStatus: the command's status comes back, and a failure in
// the events fails a command that exited 0.
func TestRunExitStatus(t *testing.T) {
	events := filepath.Join(t.TempDir(), "events")
	if err := os.WriteFile(events, []byte(stream), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run([]string{"cat", events}, "unit", time.Hour, &out); code != 1 {
		t.Errorf("a run with failures exited %d, want 1", code)
	}
	if !strings.Contains(out.String(), "== unit: 1 packages passed, 2 failed") {
		t.Errorf("no stage summary:\n%s", out.String())
	}
	if code := run([]string{"sh", "-c", "exit 3"}, "", time.Hour, &out); code != 3 {
		t.Errorf("exit 3 came back as %d", code)
	}
}

// TestOtherCommands: a command that prints no events has its lines
// passed on and its status summed up.
func TestOtherCommands(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"sh", "-c", "echo ...F; exit 1"}, "node", time.Hour, &out); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	got := out.String()
	if !strings.Contains(got, "\n...F\n") || !strings.Contains(got, "== node: FAILED (exit status 1)") {
		t.Errorf("printed %q", got)
	}
	out.Reset()
	run([]string{"true"}, "builds", time.Hour, &out)
	if !strings.Contains(out.String(), "== builds: passed in") {
		t.Errorf("printed %q", out.String())
	}
}

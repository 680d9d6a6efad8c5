//go:build !wasm

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestProgressBar: nothing before the delay, then the amount done of the
// total, the rate and the time left; finish completes the line.
func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(1000, 0)
	p := &progressBar{w: &out, label: "perplexity", total: 1000, format: itoa,
		unit: " tokens/s", delay: progressDelay, now: func() time.Time { return clock }, on: true}
	p.start = clock
	clock = clock.Add(progressDelay / 2)
	p.update(50)
	if out.Len() != 0 {
		t.Fatalf("drawn before the delay: %q", out.String())
	}
	clock = clock.Add(progressDelay*3/2 + 1500*time.Millisecond) // 2.5 s in
	p.update(250)
	want := "\rperplexity [#######.......................] 250 / 1000  100 tokens/s  8s left\x1b[K"
	if out.String() != want {
		t.Fatalf("drew %q\nwant %q", out.String(), want)
	}
	p.finish()
	if got := out.String(); !strings.HasSuffix(got, "1000 / 1000  400 tokens/s  0s left\x1b[K\n") {
		t.Errorf("finish drew %q", got)
	}

	out.Reset()
	quick := &progressBar{w: &out, total: 10, format: itoa, delay: progressDelay, now: time.Now, on: true, start: time.Now()}
	quick.update(10)
	quick.finish()
	if out.Len() != 0 {
		t.Errorf("work done within the delay drew %q", out.String())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestProgressOnlyWhenAsked: long commands draw progress on stderr only on
// a terminal (here PHI2_PROGRESS stands for one) and never with --quiet;
// stdout is the same JSON either way. Another engine's guest draws for
// the command it runs.
func TestProgressOnlyWhenAsked(t *testing.T) {
	file := filepath.Join(t.TempDir(), "text.go")
	if err := os.WriteFile(file, []byte(perplexityText), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"perplexity", "--model", tinyDir, "--file", file}
	plain, errOut, code := runCLI(args...)
	if code != 0 || errOut != "" {
		t.Fatalf("not a terminal: exit %d, stderr %q", code, errOut)
	}
	t.Setenv("PHI2_PROGRESS", "all")
	out, errOut, code := runCLI(args...)
	if code != 0 || out != plain {
		t.Fatalf("with progress: exit %d, stdout %q, want %q", code, out, plain)
	}
	for _, want := range []string{"\rload [", "\rperplexity [##############################] ", " tokens/s", " left"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q: %q", want, errOut)
		}
	}
	if out, errOut, code := runCLI(append(args, "--quiet")...); code != 0 || out != plain || errOut != "" {
		t.Errorf("--quiet: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	useGuest(t)
	if _, errOut, code := runCLI(append(args, "--engine", "wazero")...); code != 0 || !strings.Contains(errOut, "\rperplexity [") {
		t.Errorf("wazero: exit %d, no progress from the guest: %q", code, errOut)
	}
}

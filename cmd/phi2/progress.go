package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress of long work is drawn on stderr when it is a terminal, never
// when it is not or with --quiet. PHI2_PROGRESS overrides the terminal
// test: 1 draws as on a terminal (what a host tells the guest that runs a
// command for it, whose stderr it relays), 0 never draws, all draws every
// phase however short (for tests).
var (
	quiet       bool      // --quiet
	progressOut io.Writer // the command's stderr
)

// progressDelay is how long work runs before its bar appears: quick work
// leaves no trace.
const progressDelay = 500 * time.Millisecond

// registerQuiet adds --quiet to a command that shows progress.
func registerQuiet(fs *flag.FlagSet) {
	fs.BoolVar(&quiet, "quiet", false, "draw no progress on stderr")
}

// progressMode is "on", "off" or "all" (on, without the delay).
func progressMode() string {
	if quiet || progressOut == nil {
		return "off"
	}
	switch os.Getenv("PHI2_PROGRESS") {
	case "0":
		return "off"
	case "1":
		return "on"
	case "all":
		return "all"
	}
	if isTerminal(progressOut) {
		return "on"
	}
	return "off"
}

// guestProgress is the PHI2_PROGRESS a guest engine gets: this process's
// decision, since the guest's stderr is never a terminal.
func guestProgress() string {
	switch progressMode() {
	case "all":
		return "all"
	case "on":
		return "1"
	}
	return "0"
}

// isTerminal reports whether v is a file that is a character device: a
// terminal (or /dev/null).
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws work done of a total, its rate and the time left, at
// most ten times a second, once the work has run progressDelay.
type progressBar struct {
	w      io.Writer
	label  string
	total  int64
	format func(int64) string // an amount with its unit
	unit   string             // of the rate
	delay  time.Duration
	now    func() time.Time
	start  time.Time
	last   time.Time
	done   int64
	on     bool
	drawn  bool
}

// newProgressBar counts bytes.
func newProgressBar(label string, total int64) *progressBar {
	return newBar(label, total, size, "/s")
}

// newTokenBar counts tokens.
func newTokenBar(label string, total int64) *progressBar {
	return newBar(label, total, func(n int64) string { return fmt.Sprint(n) }, " tokens/s")
}

func newBar(label string, total int64, format func(int64) string, unit string) *progressBar {
	mode := progressMode()
	p := &progressBar{w: progressOut, label: label, total: total, format: format, unit: unit,
		delay: progressDelay, now: time.Now, on: mode != "off"}
	if mode == "all" {
		p.delay = 0
	}
	p.start = p.now()
	return p
}

// update shows done of the total.
func (p *progressBar) update(done int64) {
	p.done = done
	if !p.on {
		return
	}
	now := p.now()
	if now.Sub(p.start) < p.delay || (p.drawn && now.Sub(p.last) < 100*time.Millisecond && done < p.total) {
		return
	}
	p.draw(now)
}

// add shows n more done.
func (p *progressBar) add(n int64) { p.update(p.done + n) }

func (p *progressBar) draw(now time.Time) {
	p.last, p.drawn, unfinished = now, true, p
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(p.done) / max(elapsed, 1e-9)
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(p.done)/float64(p.total), 1)
	}
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	left := "?"
	if rate > 0 && p.total > 0 {
		left = time.Duration(float64(max(p.total-p.done, 0)) / rate * float64(time.Second)).Round(time.Second).String()
	}
	// \x1b[K clears what a longer line left on the right.
	fmt.Fprintf(p.w, "\r%s [%s] %s / %s  %s%s  %s left\x1b[K", p.label, bar, p.format(p.done), p.format(p.total),
		p.format(int64(rate)), p.unit, left)
}

// finish draws the bar complete and ends its line, if it was drawn.
func (p *progressBar) finish() {
	if p.on && p.drawn {
		p.done = max(p.done, p.total)
		p.draw(p.now())
		fmt.Fprintln(p.w)
	}
	p.on = false
	if unfinished == p {
		unfinished = nil
	}
}

// unfinished is the bar last drawn, until it finishes.
var unfinished *progressBar

// endProgressLine ends the line of a bar that work left unfinished (it
// failed), so that the error is printed on a line of its own.
func endProgressLine() {
	if unfinished != nil {
		fmt.Fprintln(unfinished.w)
		unfinished.on, unfinished = false, nil
	}
}

// size formats a byte count with a binary unit.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, u := float64(n), 0
	for f >= unit && u < 4 {
		f /= unit
		u++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGT"[u-1])
}

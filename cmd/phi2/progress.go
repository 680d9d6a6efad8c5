package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressBar draws bytes done, rate and time left on a terminal, at most
// ten times a second. It draws nothing when w is not a terminal.
type progressBar struct {
	w     io.Writer
	label string
	total int64
	start time.Time
	last  time.Time
	on    bool
}

func newProgressBar(w *os.File, label string, total int64) *progressBar {
	st, err := w.Stat()
	on := err == nil && st.Mode()&os.ModeCharDevice != 0
	return &progressBar{w: w, label: label, total: total, start: time.Now(), on: on}
}

// update shows done bytes of the total.
func (p *progressBar) update(done int64) {
	now := time.Now()
	if !p.on || (now.Sub(p.last) < 100*time.Millisecond && done < p.total) {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(done) / max(elapsed, 1e-9)
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(done)/float64(p.total), 1)
	}
	const width = 30
	bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
	eta := "?"
	if rate > 0 && p.total > 0 {
		eta = time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s [%s] %s / %s  %s/s  %s left ", p.label, bar, size(done), size(p.total), size(int64(rate)), eta)
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	if p.on {
		p.update(p.total)
		fmt.Fprintln(p.w)
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

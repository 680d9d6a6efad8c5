package phi2web

import (
	"runtime/debug"
	"testing"
)

// loadGC holds the platform's collector target during a load and puts the
// old one back; with none set it changes nothing.
func TestLoadGC(t *testing.T) {
	defer func(p int) { loadGCPercent = p }(loadGCPercent)
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	loadGCPercent = 0
	loadGC()()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("with no load target, GOGC became %d", got)
	}
	loadGCPercent = 30
	restore := loadGC()
	during := debug.SetGCPercent(30)
	restore()
	if after := debug.SetGCPercent(150); during != 30 || after != 150 {
		t.Errorf("GOGC %d during the load and %d after, want 30 and 150", during, after)
	}
}

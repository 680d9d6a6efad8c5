package phi2web

import "runtime/debug"

// loadGC sets the Go collector's target to loadGCPercent while a model
// loads, where the platform sets one, and returns what restores it.
func loadGC() func() {
	if loadGCPercent <= 0 {
		return func() {}
	}
	old := debug.SetGCPercent(loadGCPercent)
	return func() { debug.SetGCPercent(old) }
}

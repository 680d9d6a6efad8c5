package main

import (
	"fmt"
	"os"

	"github.com/phi2web/phi2web/runtime/load"
)

// progressReporter prints each phase of a model's fetch, conversion and
// load as it starts, every tenth of it, and its end to stderr.
func progressReporter() func(load.Progress) {
	last, phase := -1, ""
	return func(p load.Progress) {
		tenth := 0
		if p.Total > 0 {
			tenth = int(10 * p.Done / p.Total)
		}
		if p.Phase == phase && tenth == last && p.Phase != load.PhaseManifest {
			return
		}
		last, phase = tenth, p.Phase
		src := "network"
		if p.FromCache {
			src = "stored"
		}
		switch p.Phase {
		case load.PhaseDownload, load.PhaseVerify:
			fmt.Fprintf(os.Stderr, "phi2: %s %.1f/%.1f MB (%s, shard %d of %d, %.1f MB/s)\n", p.Phase,
				float64(p.Done)/1e6, float64(p.Total)/1e6, src, p.Shard+1, p.Shards, p.BytesPerSecond/1e6)
		case load.PhaseManifest, load.PhaseReady:
			fmt.Fprintf(os.Stderr, "phi2: %s\n", p.Phase)
		default:
			fmt.Fprintf(os.Stderr, "phi2: %s %.1f/%.1f MB (%.1f MB/s)\n", p.Phase,
				float64(p.Done)/1e6, float64(p.Total)/1e6, p.BytesPerSecond/1e6)
		}
	}
}

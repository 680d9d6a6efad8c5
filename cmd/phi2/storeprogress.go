package main

import (
	"github.com/phi2web/phi2web/runtime/load"
)

// progressReporter, which also hands each report to watch when it is set,
// draws a bar for each phase of a model's fetch,
// conversion and load (see progressBar): "download" while shard bytes
// come from the network, "stored" while they are found stored, "verify",
// "convert" and "load".
func progressReporter(watch func(load.Progress)) func(load.Progress) {
	var bar *progressBar
	phase := ""
	return func(p load.Progress) {
		if watch != nil {
			watch(p)
		}
		switch p.Phase {
		case load.PhaseManifest: // a request or two: nothing to show
			return
		case load.PhaseReady:
			if bar != nil {
				bar.finish()
			}
			bar, phase = nil, ""
			return
		}
		if bar == nil || p.Phase != phase || p.Total != bar.total {
			if bar != nil {
				bar.finish()
			}
			bar, phase = newProgressBar(p.Phase, p.Total), p.Phase
		}
		if p.Phase == load.PhaseDownload {
			bar.label = "download"
			if p.FromCache {
				bar.label = "stored"
			}
		}
		bar.update(p.Done)
	}
}

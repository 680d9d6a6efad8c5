package protocol

import (
	"strings"

	"github.com/phi2web/phi2web/runtime/load"
)

// StoredKeys returns the keys among stored that a cache delete of url
// removes: the model directory's and those of its conversions.
func StoredKeys(url string, stored []string) []string {
	dir, _ := load.Keys(url, "")
	var out []string
	for _, k := range stored {
		rest, ok := strings.CutPrefix(k, dir)
		if ok && (rest == "" || strings.HasPrefix(rest, ".phi2web-")) {
			out = append(out, k)
		}
	}
	return out
}

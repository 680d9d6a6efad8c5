package host

import (
	"os"
	"path/filepath"
	"sort"
)

// cacheKeep is how many compiled modules a cache directory keeps: every
// rebuilt guest adds one (tens of MB), so older ones are dropped.
const cacheKeep = 8

// DefaultCacheDir is where the commands of this project keep compiled code:
// a directory under the user's cache directory, or "" when there is none.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "phi2web", "wazero")
}

// pruneCache removes all but the keep newest files of a wazero cache
// directory (which holds one subdirectory per wazero version and
// platform). Errors are ignored: a missing entry is only compiled again.
func pruneCache(dir string, keep int) {
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) <= keep {
		return
	}
	type entry struct {
		path string
		mod  int64
	}
	var entries []entry
	for _, f := range files {
		if info, err := os.Stat(f); err == nil && info.Mode().IsRegular() {
			entries = append(entries, entry{f, info.ModTime().UnixNano()})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].mod > entries[j].mod })
	for _, e := range entries[min(keep, len(entries)):] {
		os.Remove(e.path)
	}
}

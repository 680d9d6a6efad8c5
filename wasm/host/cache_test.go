package host

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestPruneCache keeps the newest files of every version directory.
func TestPruneCache(t *testing.T) {
	dir := t.TempDir()
	base := time.Now()
	var want []string
	for i := range 5 {
		sub := filepath.Join(dir, fmt.Sprintf("wazero-v%d", i%2))
		os.MkdirAll(sub, 0o755)
		f := filepath.Join(sub, fmt.Sprintf("entry%d", i))
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(f, base, base.Add(time.Duration(i)*time.Minute))
		if i >= 2 {
			want = append(want, f)
		}
	}
	pruneCache(dir, 3)
	got, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}

package backend_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The engine under runtime/ must build unchanged natively, for js/wasm and
// for wasip1/wasm: no build constraints and no browser imports, except in
// files that name their platform (*_wasm.go, *_js.go and the like).
func TestRuntimeIsPortable(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.Contains(path, "testdata") {
			return err
		}
		if platformFile(filepath.Base(path)) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		checked++
		for _, c := range f.Comments {
			for _, l := range c.List {
				if strings.HasPrefix(l.Text, "//go:build") {
					t.Errorf("%s: build constraint %q in a portable package", path, l.Text)
				}
			}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "syscall/js" || strings.Contains(p, "safejs") {
				t.Errorf("%s imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked: is the walk rooted at runtime/?", checked)
	}
}

func platformFile(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".go"), "_test")
	// "_other" is the native side of a "_js" file (built with !js); "_linux"
	// files build for Linux only by their name.
	for _, suffix := range []string{"_js", "_wasm", "_wasip1", "_js_wasm", "_wasip1_wasm", "_linux", "_other"} {
		if strings.HasSuffix(base, suffix) {
			return true
		}
	}
	return false
}

package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestWritePackage: the package folder holds package.json, the README, the
// license, every file of PackageFiles with the bytes the site serves, and
// of the default model only the files it names; nothing of the demo.
func TestWritePackage(t *testing.T) {
	ts := newTestSite(t)
	dir := filepath.Join(t.TempDir(), "package")
	license := []byte("the license text\n")
	if err := ts.WritePackage(dir, license); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	want := append([]string{"LICENSE", "README.md", "package.json", "models/default/manifest.json", "models/default/shard-00000.bin.brotli"}, PackageFiles...)
	slices.Sort(want)
	slices.Sort(files)
	if !slices.Equal(files, want) {
		t.Errorf("the package holds %v, want %v", files, want)
	}
	for _, name := range PackageFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if name == "phi2-model.js" {
			// The package's own: it names the files as the package stores them.
			if want := `{ name: "shard-00000.bin.br", path: "shard-00000.bin.brotli", url: new URL("./models/default/shard-00000.bin.brotli", import.meta.url).href }`; !strings.Contains(string(data), want) {
				t.Errorf("the package's phi2-model.js does not name its shard as stored:\n%s", data)
			}
			continue
		}
		if w := ts.do("GET", "/"+name, nil, nil); err != nil || w.Code != 200 || w.Body.String() != string(data) {
			t.Errorf("%s: written %d bytes (%v); the site serves %d bytes with status %d", name, len(data), err, w.Body.Len(), w.Code)
		}
	}
	for file, name := range map[string]string{"manifest.json": "manifest.json", "shard-00000.bin.brotli": "shard-00000.bin.br"} {
		data, err := os.ReadFile(filepath.Join(dir, "models", "default", file))
		if w := ts.do("GET", "/models/default/"+name, nil, nil); err != nil || w.Code != 200 || w.Body.String() != string(data) {
			t.Errorf("models/default/%s: written %d bytes (%v); the site serves %s with %d bytes", file, len(data), err, name, w.Body.Len())
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "LICENSE")); err != nil || string(data) != string(license) {
		t.Errorf("LICENSE holds %q (%v), want the license given", data, err)
	}
	if err := ts.WritePackage(t.TempDir(), nil); err == nil {
		t.Error("a package without a license was written")
	}
	if err := ts.WritePackage(dir, license); err == nil {
		t.Error("writing into a folder that is not empty did not fail")
	}
}

// TestPackageJSON: the package's exports, types, files and side effects
// name files the package holds.
func TestPackageJSON(t *testing.T) {
	data, err := npmTemplate.ReadFile("npm/package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Name, Version, Type, Types string
		Exports                    map[string]any
		Files, SideEffects         []string
		Engines                    map[string]string
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name != "phi2web" || !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(pkg.Version) || pkg.Type != "module" || pkg.Engines["node"] == "" {
		t.Errorf("package.json: name %q, version %q, type %q, engines %v", pkg.Name, pkg.Version, pkg.Type, pkg.Engines)
	}
	held := func(path string) bool {
		return slices.Contains(PackageFiles, path[len("./"):]) || path == "./package.json"
	}
	named := []string{pkg.Types}
	for key, target := range pkg.Exports {
		switch v := target.(type) {
		case string:
			named = append(named, v)
		case map[string]any:
			named = append(named, v["types"].(string), v["default"].(string))
		default:
			t.Errorf("exports[%q] is %v", key, target)
		}
	}
	named = append(named, pkg.SideEffects...)
	for _, path := range named {
		if !held(path) {
			t.Errorf("package.json names %s, which the package does not hold", path)
		}
	}
	for _, path := range []string{"./phi2.js", "./phi2-chat.js"} {
		found := false
		for _, target := range pkg.Exports {
			if m, ok := target.(map[string]any); ok && m["default"] == path {
				found = true
			}
		}
		if !found {
			t.Errorf("package.json does not export %s", path)
		}
	}
}

// TestDefaultModelFiles: phi2-model.js names each file of the default model
// (models/default/ beside it), as modelFilesJS writes it.
func TestDefaultModelFiles(t *testing.T) {
	src, err := Static.ReadFile("phi2-model.js")
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(filepath.Join("models", DefaultModelName))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	files, err := modelList(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := modelFilesJS(files, sitePath); string(src) != string(want) {
		t.Errorf("phi2-model.js is\n%s\nwant, for the default model's files:\n%s", src, want)
	}
}

package web

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
)

// npmTemplate is what the npm package holds besides the site's files: its
// package.json (where the package's version is kept) and its README.
//
//go:embed npm/package.json npm/README.md
var npmTemplate embed.FS

// PackageFiles are the site's files the npm package phi2web holds, at the
// paths the site serves them: the modules (phi2web and phi2web/chat), their
// types, the worker and what it loads. The default model goes to
// models/default/.
var PackageFiles = []string{
	"phi2.js", "phi2-options.js", "phi2-connection.js", "phi2-openai.js", "phi2-model.js", "phi2.d.ts",
	"phi2-chat.js", "phi2-chat.d.ts",
	"phi2-worker.js", "phi2-aliases.js", "kernels.js", "kernels.wasm", "kernels-relaxed.wasm",
	"phi2.wasm", "wasm_exec.js",
}

// WritePackage writes the folder of the npm package phi2web into dir, for
// `npm pack`: package.json, README.md, LICENSE (license, which must not be
// empty), PackageFiles and the site's default
// model at models/default/ (its brotli files renamed: packagePath), which
// the package's phi2-model.js names. The site must have been made with the engine,
// wasm_exec.js and a model named "default". dir must not exist or be empty.
func (s *Site) WritePackage(dir string, license []byte) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("web: %s is not empty", dir)
	}
	if len(license) == 0 {
		return fmt.Errorf("web: the package needs its license text")
	}
	if err := writeFile(filepath.Join(dir, "LICENSE"), license); err != nil {
		return err
	}
	for _, name := range []string{"package.json", "README.md"} {
		data, err := npmTemplate.ReadFile("npm/" + name)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	m := s.models["default"]
	if m == nil {
		return fmt.Errorf("web: the package needs the site's default model (models/default/)")
	}
	for _, name := range PackageFiles {
		a := s.assets[name]
		if a == nil {
			return fmt.Errorf("web: the package needs %s, which the site does not have", name)
		}
		data := a.data
		if name == "phi2-model.js" {
			data = modelFilesJS(m.files, packagePath)
		}
		if err := writeFile(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	for name := range m.files {
		dst := filepath.Join(dir, "models", "default", filepath.FromSlash(packagePath(name)))
		if err := copyFile(m.root.FS(), name, dst); err != nil {
			return fmt.Errorf("web: model default: %w", err)
		}
	}
	return nil
}

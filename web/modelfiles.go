package web

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// modelFilesJS is the text of phi2-model.js for a default model of the
// given files: each with the path it is stored at under models/default/,
// named with new URL(…, import.meta.url) as bundlers look for it.
func modelFilesJS(files map[string]bool, path func(name string) string) []byte {
	var b bytes.Buffer
	b.WriteString(`// The default model's files (models/default/ beside this module): each
// file the model names, the path it is stored at there, and its URL, named
// with new URL(…, import.meta.url) so that a bundler finds and copies it; a
// bundler may rename it, and the worker is told where each went. Package
// web writes this file (modelFilesJS) and checks it against the model.
export const defaultModelFiles = [
`)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := path(name)
		fmt.Fprintf(&b, "\t{ name: %q, path: %q, url: new URL(%q, import.meta.url).href },\n", name, p, "./models/default/"+p)
	}
	b.WriteString("];\n")
	return b.Bytes()
}

// sitePath stores each file under its own name, as the site serves it.
func sitePath(name string) string { return name }

// packagePath stores a brotli-compressed file under a name that does not
// end in .br: development servers (Vite's) send such a file with
// Content-Encoding: br, and the browser would then hand the engine the
// decompressed bytes.
func packagePath(name string) string {
	if base, ok := strings.CutSuffix(name, ".br"); ok {
		return base + ".brotli"
	}
	return name
}

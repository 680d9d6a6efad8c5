// Package shaders holds the WGSL compute kernels of the WebGPU backend, one
// kernel family per file. Source returns a file with the shared helpers of
// common.wgsl prepended and its "//!include name.wgsl" lines replaced by
// that file (WGSL has no imports); tuning knobs are WGSL override
// constants, set when a pipeline is made.
package shaders

import (
	"embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

//go:embed *.wgsl
var files embed.FS

// Source is the WGSL of the named kernel file (e.g. "matmul_q.wgsl"),
// helpers included.
func Source(name string) (string, error) {
	common, err := files.ReadFile("common.wgsl")
	if err != nil {
		return "", err
	}
	body, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("shaders: no kernel file %q", name)
	}
	lines := strings.Split(string(body), "\n")
	for i, line := range lines {
		if inc, ok := strings.CutPrefix(line, "//!include "); ok {
			part, err := files.ReadFile(strings.TrimSpace(inc))
			if err != nil {
				return "", fmt.Errorf("shaders: %s includes a missing %q", name, inc)
			}
			lines[i] = string(part)
		}
	}
	return string(common) + "\n" + strings.Join(lines, "\n"), nil
}

// Names lists the kernel files (the included helpers excluded).
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		if e.Name() != "common.wgsl" && !strings.HasSuffix(e.Name(), "_common.wgsl") {
			out = append(out, e.Name())
		}
	}
	return out
}

// overrideDecl matches a module-scope override declaration.
var overrideDecl = regexp.MustCompile(`(?m)^override\s+(\w+)\s*:\s*(\w+)\s*(?:=\s*([^;]+))?;`)

// Specialize turns every override declaration of src into a const: the
// value values gives its name, else its default. It is for WebGPU
// implementations without pipeline-overridable constants (wgpu-native's C
// API as bound here); the kernels compute the same either way.
func Specialize(src string, values map[string]float64) (string, error) {
	var err error
	used := 0
	out := overrideDecl.ReplaceAllStringFunc(src, func(decl string) string {
		m := overrideDecl.FindStringSubmatch(decl)
		name, typ, def := m[1], m[2], strings.TrimSpace(m[3])
		expr := def
		if v, ok := values[name]; ok {
			used++
			switch typ {
			case "bool":
				expr = strconv.FormatBool(v != 0)
			case "u32":
				expr = strconv.FormatUint(uint64(v), 10) + "u"
			case "i32":
				expr = strconv.FormatInt(int64(v), 10) + "i"
			case "f32":
				expr = strconv.FormatFloat(v, 'g', -1, 32) + "f"
			default:
				err = fmt.Errorf("shaders: override %s has type %s", name, typ)
			}
		}
		if expr == "" && err == nil {
			err = fmt.Errorf("shaders: override %s has no value and no default", name)
		}
		return fmt.Sprintf("const %s: %s = %s;", name, typ, expr)
	})
	if err == nil && used != len(values) {
		err = fmt.Errorf("shaders: %d of %d constants are not declared overrides", len(values)-used, len(values))
	}
	return out, err
}

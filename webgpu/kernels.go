//go:build js && wasm

package webgpu

import (
	"fmt"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/shaders"
)

// Workgroup sizes and tiles (WGSL override constants).
const (
	matmulWG   = 64
	matmulTile = 8 // x rows per workgroup when n > 1
	// rowsMaxK: rows this short get one thread each (no reduction); so do
	// all rows on a software adapter, where barriers are slow.
	rowsMaxK    = 256
	lineWG      = 64
	argmaxWG    = 256
	attentionWG = 64
	attnChunk   = 1024 // keys per pass; 4 KiB of workgroup memory
	// A decode step over more than attnSplitMin keys is split in spans of
	// attnSpan keys: a few workgroups per head cannot keep a GPU busy.
	attnSplitMin = 512
	attnSpan     = 256
)

// kernel is one compute pipeline: an entry point of a kernel file with its
// override constants, and the storage bindings (after the uniform at 0)
// that the entry point uses.
type kernel struct {
	name     string
	file     string
	entry    string
	consts   map[string]any
	bindings []int
	pipe     safejs.Value
	layout   safejs.Value
}

// kernels are the pipelines of the backend: the base set made at start-up,
// variants (operand aliasing) when first needed.
type kernels struct {
	g       *gpu
	modules map[string]safejs.Value
	byName  map[string]*kernel
}

// variant is kernel name with extra override constants, made on first use.
func (k *kernels) variant(name, suffix string, extra map[string]any) (*kernel, error) {
	if suffix == "" {
		return k.get(name), nil
	}
	if kn, ok := k.byName[name+"/"+suffix]; ok {
		return kn, nil
	}
	base := k.get(name)
	v := &kernel{name: name + "/" + suffix, file: base.file, entry: base.entry, bindings: base.bindings, consts: map[string]any{}}
	for c, x := range base.consts {
		v.consts[c] = x
	}
	for c, x := range extra {
		v.consts[c] = x
	}
	if err := k.build([]*kernel{v}); err != nil {
		return nil, err
	}
	return v, nil
}

func (k *kernels) get(name string) *kernel {
	kn, ok := k.byName[name]
	if !ok {
		panic("webgpu: no kernel " + name)
	}
	return kn
}

// kernelSpecs lists the pipelines.
func kernelSpecs() []*kernel {
	var ks []*kernel
	add := func(name, file, entry string, consts map[string]any, bindings ...int) {
		ks = append(ks, &kernel{name: name, file: file, entry: entry, consts: consts, bindings: bindings})
	}
	for _, tn := range []int{1, matmulTile} {
		for _, rows := range []bool{false, true} {
			suffix := map[bool]string{false: "", true: "_rows"}[rows]
			for _, dt := range []string{"f32", "f16"} {
				add(fmt.Sprintf("matmul_%s_%d%s", dt, tn, suffix), "matmul.wgsl", "main",
					map[string]any{"WG": matmulWG, "TN": tn, "W_F16": dt == "f16", "ROWS": rows}, 1, 2, 3, 4)
			}
			for _, dt := range []string{"q8", "q4"} {
				add(fmt.Sprintf("matmul_%s_%d%s", dt, tn, suffix), "matmul_q.wgsl", "main",
					map[string]any{"WG": matmulWG, "TN": tn, "Q4": dt == "q4", "ROWS": rows}, 1, 2, 3, 4)
			}
		}
	}
	for i, dt := range []string{"f32", "f16", "q8", "q4"} {
		add("embed_"+dt, "embed.wgsl", "main", map[string]any{"WG": lineWG, "DT": i}, 1, 2, 3)
	}
	add("layernorm", "layernorm.wgsl", "main", map[string]any{"WG": lineWG}, 1, 2, 3, 4)
	ew := map[string]any{"WG": lineWG}
	for _, entry := range []string{"gelu_new", "add", "add3"} {
		add(entry, "elementwise.wgsl", entry, ew, 1, 2, 3, 4) // all four: see load()
	}
	for _, entry := range []string{"copy", "copy_f16"} {
		add(entry, "copy.wgsl", entry, ew, 1, 2, 3, 4) // all four: see load()
	}
	add("rope", "rope.wgsl", "main", map[string]any{"WG": lineWG}, 1, 2)
	for _, f16 := range []bool{false, true} {
		name := map[bool]string{false: "attention_f32", true: "attention_f16"}[f16]
		c := map[string]any{"WG": attentionWG, "CHUNK": attnChunk, "KV_F16": f16}
		add(name, "attention.wgsl", "main", c, 1, 2, 3, 4)
		add(name+"_partial", "attention.wgsl", "partial", c, 1, 2, 3, 5)
		add(name+"_combine", "attention.wgsl", "combine", c, 4, 5)
	}
	add("argmax", "argmax.wgsl", "main", map[string]any{"WG": argmaxWG}, 1, 2)
	return ks
}

// compileKernels makes the base set of pipelines.
func compileKernels(g *gpu) (*kernels, error) {
	k := &kernels{g: g, modules: map[string]safejs.Value{}, byName: map[string]*kernel{}}
	return k, k.build(kernelSpecs())
}

// build makes the pipelines of specs, all compiling at once.
func (ks *kernels) build(specs []*kernel) error {
	g, modules := ks.g, ks.modules
	promises := make([]safejs.Value, len(specs))
	for i, k := range specs {
		mod, ok := modules[k.file]
		if !ok {
			src, err := shaders.Source(k.file)
			if err != nil {
				return err
			}
			if mod, err = call(g.device, "createShaderModule", map[string]any{"label": k.file, "code": src}); err != nil {
				return fmt.Errorf("webgpu: %s: %w", k.file, err)
			}
			modules[k.file] = mod
		}
		consts := map[string]any{}
		for name, v := range k.consts {
			if b, ok := v.(bool); ok {
				v = map[bool]int{false: 0, true: 1}[b]
			}
			consts[name] = v
		}
		p, err := call(g.device, "createComputePipelineAsync", map[string]any{
			"label": k.name, "layout": "auto",
			"compute": map[string]any{"module": mod, "entryPoint": k.entry, "constants": consts},
		})
		if err != nil {
			return fmt.Errorf("webgpu: kernel %s: %w", k.name, err)
		}
		promises[i] = p
	}
	for i, k := range specs {
		pipe, err := await(promises[i])
		if err != nil {
			return fmt.Errorf("webgpu: kernel %s (%s): %w", k.name, k.file, err)
		}
		k.pipe = pipe
		if k.layout, err = call(pipe, "getBindGroupLayout", 0); err != nil {
			return fmt.Errorf("webgpu: kernel %s: %w", k.name, err)
		}
		ks.byName[k.name] = k
	}
	return nil
}

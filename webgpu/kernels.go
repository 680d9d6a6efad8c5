package webgpu

import (
	"fmt"
	"sort"
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
	pipe     any // the driver's pipeline
	layout   any // and its bind group layout, where the driver needs it
}

// constants are k's override constants as numbers, in name order.
func (k *kernel) constants() ([]string, []float64) {
	names := make([]string, 0, len(k.consts))
	for n := range k.consts {
		names = append(names, n)
	}
	sort.Strings(names)
	values := make([]float64, len(names))
	for i, n := range names {
		switch v := k.consts[n].(type) {
		case bool:
			values[i] = map[bool]float64{false: 0, true: 1}[v]
		case int:
			values[i] = float64(v)
		default:
			panic(fmt.Sprintf("webgpu: kernel %s: constant %s is a %T", k.name, n, v))
		}
	}
	return names, values
}

// kernels are the pipelines of the backend: the base set made at start-up,
// variants (operand aliasing) when first needed.
type kernels struct {
	d      driver
	byName map[string]*kernel
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
	if err := k.d.compile([]*kernel{v}); err != nil {
		return nil, err
	}
	k.byName[v.name] = v
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
	add("copy_kvq8", "copy_kvq8.wgsl", "main", map[string]any{"WG": lineWG}, 1, 2)
	q8 := map[string]any{"WG": attentionWG, "CHUNK": attnChunk}
	add("attention_q8", "attention_q8.wgsl", "main", q8, 1, 2, 3, 4)
	add("attention_q8_partial", "attention_q8.wgsl", "partial", q8, 1, 2, 3, 5)
	add("argmax", "argmax.wgsl", "main", map[string]any{"WG": argmaxWG}, 1, 2)
	return ks
}

// compileKernels makes the base set of pipelines.
func compileKernels(d driver) (*kernels, error) {
	k := &kernels{d: d, byName: map[string]*kernel{}}
	specs := kernelSpecs()
	if err := d.compile(specs); err != nil {
		return nil, err
	}
	for _, s := range specs {
		k.byName[s.name] = s
	}
	return k, nil
}

package kernels

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// TestModuleIsBuiltFromSource rebuilds both modules from the *.wat sources
// and compares them with the committed kernels.wasm and kernels-relaxed.wasm.
func TestModuleIsBuiltFromSource(t *testing.T) {
	if _, err := exec.LookPath("wat2wasm"); err != nil {
		t.Fatal("wat2wasm not found: install wabt (Debian: apt-get install wabt; `make deps` does it)")
	}
	dir := t.TempDir()
	if b, err := exec.Command("sh", "build.sh", dir).CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, b)
	}
	for name, committed := range map[string][]byte{"kernels.wasm": Module, "kernels-relaxed.wasm": RelaxedModule} {
		built, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(built, committed) {
			t.Errorf("%s is stale: run `go generate ./wasm/kernels` (sh build.sh) and commit it", name)
		}
	}
}

// kernelParams is the parameter count of each kernel in docs/kernels.md.
var kernelParams = map[string]int{
	"matmul_f32": 9, "matmul_f16": 9, "matmul_q8": 10, "matmul_q4": 10,
	"embed_f32": 6, "embed_f16": 6, "embed_q8": 6, "embed_q4": 6,
	"layernorm": 8, "gelu_new": 4, "add": 5, "add3": 6, "rope": 8,
	"attention": 12, "copy": 3, "argmax": 3,
	"copy_f16": 4, "attention_f16": 13,
	"copy_kvq8": 7, "attention_kvq8": 13, "features": 1,
	"matmul_q4_vec": 9, "matmul_q8_vec": 9,
}

// TestExports: the module imports only env.memory (shared) and exports
// exactly the kernels of Names, each taking i32 parameters and returning
// nothing.
func TestExports(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(api.CoreFeaturesV2|experimental.CoreFeaturesThreads))
	defer rt.Close(ctx)
	m, err := rt.CompileModule(ctx, Module)
	if err != nil {
		t.Fatal(err)
	}
	imports := m.ImportedMemories()
	if len(imports) != 1 || len(m.ImportedFunctions()) != 0 {
		t.Fatalf("imports %d memories and %d functions, want only env.memory", len(imports), len(m.ImportedFunctions()))
	}
	if mod, name, _ := imports[0].Import(); mod != "env" || name != "memory" {
		t.Errorf("imports memory %s.%s, want env.memory", mod, name)
	}
	if max, ok := imports[0].Max(); !ok || max != 65536 || imports[0].Min() != 1 {
		t.Errorf("memory limits min %d max %d, want 1 and 65536", imports[0].Min(), max)
	}
	exports := m.ExportedFunctions()
	if len(exports) != len(Names) || len(Names) != len(kernelParams) {
		t.Errorf("%d exports, %d names, %d kernels in docs/kernels.md", len(exports), len(Names), len(kernelParams))
	}
	for _, name := range Names {
		f, ok := exports[name]
		if !ok {
			t.Errorf("no export %s", name)
			continue
		}
		params := f.ParamTypes()
		if len(params) != kernelParams[name] || len(f.ResultTypes()) != 0 {
			t.Errorf("%s takes %d parameters and returns %d values, want %d and none", name, len(params), len(f.ResultTypes()), kernelParams[name])
		}
		for _, p := range params {
			if p != api.ValueTypeI32 {
				t.Errorf("%s has a %s parameter", name, api.ValueTypeName(p))
			}
		}
	}
}

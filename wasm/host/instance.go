package host

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// instance is one kernel instance with its exports resolved by kernel id.
type instance struct {
	kernels []kernel
	stack   [16]uint64 // arguments of the call in progress
}

// kernel is one export and how many words of the job it takes.
type kernel struct {
	fn       api.Function
	params   int
	stackLen int // max(params, results), what CallWithStack needs
}

// newInstance resolves names in mod, refusing a module that lacks one or
// whose signature cannot be called from a job.
func newInstance(mod api.Module, names []string) (*instance, error) {
	in := &instance{kernels: make([]kernel, len(names))}
	for id, name := range names {
		fn := mod.ExportedFunction(name)
		if fn == nil {
			return nil, fmt.Errorf("host: the kernel module has no export %q (kernel %d)", name, id)
		}
		def := fn.Definition()
		params, results := len(def.ParamTypes()), len(def.ResultTypes())
		for _, t := range def.ParamTypes() {
			if t != api.ValueTypeI32 {
				return nil, fmt.Errorf("host: kernel %q takes a %s; every parameter must be i32", name, api.ValueTypeName(t))
			}
		}
		if params > 15 || results > 16 {
			return nil, fmt.Errorf("host: kernel %q takes %d parameters; a job holds at most 15", name, params)
		}
		in.kernels[id] = kernel{fn: fn, params: params, stackLen: max(params, results)}
	}
	return in, nil
}

// exec runs job i on in. A trap, an unknown kernel id or a panic is an
// error.
func (p *pool) exec(in *instance, i int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	w := p.jobs[i*jobBytes : (i+1)*jobBytes]
	id := int32(binary.LittleEndian.Uint32(w))
	if id < 0 || int(id) >= len(in.kernels) {
		return fmt.Errorf("unknown kernel id %d (the module has %d kernels)", id, len(in.kernels))
	}
	k := &in.kernels[id]
	stack := in.stack[:k.stackLen]
	for a := range k.params {
		stack[a] = uint64(binary.LittleEndian.Uint32(w[4+4*a:]))
	}
	if err := k.fn.CallWithStack(context.Background(), stack); err != nil {
		return fmt.Errorf("kernel %s: %w", p.names[id], err)
	}
	return nil
}

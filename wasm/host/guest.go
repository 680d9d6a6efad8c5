package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/sys"
)

// Run runs a wasip1 command module (its _start) as the guest and returns
// its exit code. An error means the guest did not exit: it failed to
// compile or instantiate (an import the host lacks), or it trapped.
func (h *Host) Run(ctx context.Context, guest []byte) (int, error) {
	if h.rt == nil {
		return 0, errors.New("host: Run after Close")
	}
	compiled, err := h.rt.CompileModule(ctx, guest)
	if err != nil {
		return 0, fmt.Errorf("host: guest module: %w", err)
	}
	defer compiled.Close(ctx)
	ctx = experimental.WithMemoryAllocator(ctx, mmapAllocator())
	mod, err := h.rt.InstantiateModule(ctx, compiled, h.moduleConfig())
	if mod != nil {
		defer mod.Close(ctx)
	}
	var exit *sys.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return int(exit.ExitCode()), nil
	}
	return 0, fmt.Errorf("host: guest: %w", err)
}

package synth

import (
	"bytes"

	"github.com/phi2web/phi2web/runtime/weights"
)

// Memory returns the checkpoint Write would write, held in memory: for
// tests where there is no file system (a browser page).
func Memory(o Options) (weights.MemSource, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	cfg, err := configJSON(o)
	if err != nil {
		return nil, err
	}
	var st bytes.Buffer
	if err := EncodeSafetensors(&st, o); err != nil {
		return nil, err
	}
	return weights.MemSource{"config.json": cfg, "model.safetensors": st.Bytes()}, nil
}

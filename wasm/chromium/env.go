package chromium

import (
	"fmt"
	"os"
	"strings"
)

// webgpuModes are the values of PHI2_WEBGPU.
var webgpuModes = map[string]WebGPU{
	"": WebGPUOn, "on": WebGPUOn,
	"no-adapter": WebGPUNoAdapter, "absent": WebGPUAbsent,
}

// FromEnv completes o with the settings every runner takes from the
// environment: PHI2_WEBGPU (on, no-adapter or absent) and
// PHI2_CHROMIUM_FLAGS (extra Chromium flags, space-separated).
func FromEnv(o *Options) error {
	w, ok := webgpuModes[os.Getenv("PHI2_WEBGPU")]
	if !ok {
		return fmt.Errorf("PHI2_WEBGPU=%q: want on, no-adapter or absent", os.Getenv("PHI2_WEBGPU"))
	}
	o.WebGPU = w
	o.Flags = append(o.Flags, strings.Fields(os.Getenv("PHI2_CHROMIUM_FLAGS"))...)
	return nil
}

package chromium

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// webgpuModes are the values of PHI2_WEBGPU.
var webgpuModes = map[string]WebGPU{
	"": WebGPUOn, "on": WebGPUOn,
	"no-adapter": WebGPUNoAdapter, "absent": WebGPUAbsent,
}

// FromEnv completes o with the settings every runner takes from the
// environment: PHI2_WEBGPU (on, no-adapter or absent), PHI2_CHROMIUM_FLAGS
// (extra Chromium flags, space-separated), PHI2_CHROMIUM_PROFILE (a profile
// directory to keep, e.g. for IndexedDB across runs) and PHI2_COPIES
// (copies of the program run at once).
func FromEnv(o *Options) error {
	w, ok := webgpuModes[os.Getenv("PHI2_WEBGPU")]
	if !ok {
		return fmt.Errorf("PHI2_WEBGPU=%q: want on, no-adapter or absent", os.Getenv("PHI2_WEBGPU"))
	}
	o.WebGPU = w
	o.Flags = append(o.Flags, strings.Fields(os.Getenv("PHI2_CHROMIUM_FLAGS"))...)
	if p := os.Getenv("PHI2_CHROMIUM_PROFILE"); p != "" {
		o.Profile = p
	}
	if c := os.Getenv("PHI2_COPIES"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			return fmt.Errorf("PHI2_COPIES=%q: want a positive number", c)
		}
		o.Copies = n
	}
	return nil
}

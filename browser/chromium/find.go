package chromium

import (
	"errors"
	"os"
	"os/exec"
)

// browsers are the names Find looks for on PATH, in order.
var browsers = []string{"chromium", "chromium-browser", "google-chrome"}

// Find returns the Chromium to run: $PHI2_CHROMIUM when set, else the first
// of chromium, chromium-browser and google-chrome on PATH.
func Find() (string, error) {
	if p := os.Getenv("PHI2_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range browsers {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("headless Chromium is needed: apt-get install chromium (or set PHI2_CHROMIUM)")
}

package chromium

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Command returns the command that starts headless Chromium (Find) as Run
// does: quiet, quick to start, with profile as its user data directory,
// WebGPU on its software adapter when webgpu is set, then the extra flags.
// It runs in a process group of its own; end it with Kill.
func Command(profile string, webgpu bool, extra ...string) (*exec.Cmd, error) {
	browser, err := Find()
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, baseFlags...), "--user-data-dir="+profile)
	if webgpu {
		args = append(args, "--enable-unsafe-webgpu") // else the CPU adapter is blocklisted
	}
	cmd := exec.Command(browser, append(args, extra...)...)
	// Chromium keeps its shared memory files in TMPDIR
	// (--disable-dev-shm-usage); they go with the profile.
	if err := os.MkdirAll(filepath.Join(profile, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Join(profile, "tmp"))
	ownProcessGroup(cmd)
	cmd.WaitDelay = time.Second // helpers that outlive Chromium may hold its output pipe
	return cmd, nil
}

// Kill ends the Chromium that cmd started, its helper processes included.
func Kill(cmd *exec.Cmd) { killProcessGroup(cmd) }

//go:build !linux

package chromium

import "os/exec"

// ownProcessGroup does nothing outside Linux.
func ownProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup kills Chromium's main process.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}

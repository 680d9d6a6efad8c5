package chromium

import (
	"io"
	"os/exec"
	"testing"
	"time"
)

// groupMemory counts what a process group holds: a child that fills
// 200 MiB is seen with at least that much, and a group of no process
// with nothing.
func TestGroupMemory(t *testing.T) {
	cmd := exec.Command("python3", "-c", "import sys, time; b = b'x' * (200 << 20); print('filled', flush=True); time.sleep(30)")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("python3 (make test installs it): %v", err)
	}
	t.Cleanup(func() { killProcessGroup(cmd); cmd.Wait() })
	filled := make([]byte, 7)
	if _, err := io.ReadFull(out, filled); err != nil || string(filled) != "filled\n" {
		t.Fatalf("the child did not fill its memory: %q %v", filled, err)
	}
	if m := groupMemory(cmd.Process.Pid); m < 200<<20 || m > 400<<20 {
		t.Errorf("group memory %d MiB, want 200–400", m>>20)
	}
	if r, m := groupResident(cmd.Process.Pid), groupMemory(cmd.Process.Pid); r < m || r > 400<<20 {
		t.Errorf("group resident %d MiB, want from its memory (%d MiB) to 400", r>>20, m>>20)
	}
	killProcessGroup(cmd)
	cmd.Wait()
	time.Sleep(50 * time.Millisecond)
	if m, r := groupMemory(cmd.Process.Pid), groupResident(cmd.Process.Pid); m != 0 || r != 0 {
		t.Errorf("an ended group holds %d bytes (%d resident)", m, r)
	}
}

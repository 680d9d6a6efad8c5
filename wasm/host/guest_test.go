package host

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func readGuest(t *testing.T, name string) []byte {
	t.Helper()
	wasm, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// TestGuestUsesPhi2: the stand-in guest grows, writes, runs, reads and
// prints, and its exit code (workers·100 + argc·10 + envc) comes back.
func TestGuestUsesPhi2(t *testing.T) {
	var stdout bytes.Buffer
	h := newTestHost(t, Options{Workers: 2, Stdout: &stdout, Args: []string{"guest", "a", "b"}, Env: map[string]string{"K": "v"}})
	guest := readGuest(t, "guest.wasm")
	for run := range 2 { // a host runs guests one after another
		stdout.Reset()
		code, err := h.Run(context.Background(), guest)
		if err != nil || code != 231 {
			t.Fatalf("run %d: exit %d, %v; want 231", run, code, err)
		}
		if stdout.String() != "ok\n" {
			t.Errorf("stdout %q", stdout.String())
		}
	}
}

// TestGuestFailures: a trap, an import the host lacks and a write outside
// the device memory are errors that say what happened.
func TestGuestFailures(t *testing.T) {
	for _, c := range []struct {
		name, guest string
		args        []string
		want        string
	}{
		{"trap", "trap.wasm", nil, "unreachable"},
		{"import", "badimport.wasm", nil, "teleport"},
		{"write", "guest.wasm", []string{"guest"}, "phi2.write: device range [4294967040, +1024) is outside"},
		{"not wasm", "guest.wat", nil, "guest module"},
	} {
		h := newTestHost(t, Options{Workers: 1, Args: c.args})
		code, err := h.Run(context.Background(), readGuest(t, c.guest))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: exit %d, error %v; want one mentioning %q", c.name, code, err, c.want)
		}
	}
}

// TestRunAfterClose is an error, not a panic.
func TestRunAfterClose(t *testing.T) {
	h := newTestHost(t, Options{Workers: 2})
	h.Close(context.Background())
	if _, err := h.Run(context.Background(), readGuest(t, "trap.wasm")); err == nil {
		t.Fatal("Run after Close succeeded")
	}
}

package chromium

import (
	"net"
	"os"
	"path/filepath"
	"strings"
)

// portFile, in a kept profile, holds the address its pages were served on.
const portFile = "phi2-runner-address"

// listen opens the page's loopback listener: on the address a kept profile
// was last served on when it is free (its storage is that origin's), else
// on a free port, which the profile then remembers.
func listen(profile string) (net.Listener, error) {
	if profile == "" {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	path := filepath.Join(profile, portFile)
	if addr, err := os.ReadFile(path); err == nil {
		if ln, err := net.Listen("tcp", strings.TrimSpace(string(addr))); err == nil {
			return ln, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(profile, 0o700); err == nil {
		os.WriteFile(path, []byte(ln.Addr().String()), 0o600)
	}
	return ln, nil
}

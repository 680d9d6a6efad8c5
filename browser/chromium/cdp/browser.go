// Package cdp drives headless Chromium through the DevTools protocol, for
// tests of pages in a real browser: open a page, evaluate JavaScript,
// wait for a condition, take a screenshot and read the console.
//
//	b, err := cdp.Launch(ctx, cdp.Options{WebGPU: true})
//	defer b.Close()
//	p, err := b.NewPage(ctx, url)
//	err = p.WaitFor(ctx, `document.querySelector("#done")`)
//	var title string
//	err = p.Eval(ctx, `document.title`, &title)
//
// The protocol runs over a pipe (--remote-debugging-pipe), so no port is
// opened. Chromium is found as package chromium finds it and starts with
// its flags.
//
// # Notes
//
//   - Native only: it starts a process.
//   - A browser that dies makes every call fail with its last output;
//     nothing waits for it forever.
package cdp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/phi2web/phi2web/browser/chromium"
)

// Options configures Launch.
type Options struct {
	// Flags are extra Chromium flags.
	Flags []string
	// WebGPU adds --enable-unsafe-webgpu: WebGPU on the CPU adapter where
	// there is no GPU.
	WebGPU bool
	// Profile is Chromium's user data directory, kept after Close; ""
	// uses a fresh one, removed by Close.
	Profile string
	// Width and Height are the pages' viewport in CSS pixels (device
	// scale 1); 0 means 800 × 600.
	Width, Height int
}

// Browser is a running Chromium.
type Browser struct {
	conn          *conn
	cmd           *exec.Cmd
	out           *chromium.Tail
	exited        chan struct{} // closed once waitErr is set
	waitErr       error
	tempProfile   string
	width, height int
	closeOnce     sync.Once
}

// Launch starts headless Chromium and waits until it answers.
func Launch(ctx context.Context, o Options) (*Browser, error) {
	b := &Browser{out: &chromium.Tail{}, exited: make(chan struct{}), width: o.Width, height: o.Height}
	if b.width <= 0 || b.height <= 0 {
		b.width, b.height = 800, 600
	}
	profile := o.Profile
	if profile == "" {
		dir, err := os.MkdirTemp("", "phi2-cdp-")
		if err != nil {
			return nil, fmt.Errorf("cdp: %w", err)
		}
		profile, b.tempProfile = dir, dir
	}
	flags := append([]string{"--remote-debugging-pipe", fmt.Sprintf("--window-size=%d,%d", b.width, b.height)}, o.Flags...)
	cmd, err := chromium.Command(profile, o.WebGPU, flags...)
	if err != nil {
		b.removeProfile()
		return nil, err
	}
	b.cmd = cmd
	// Chromium reads commands on fd 3 and writes replies and events on fd 4.
	toChrome, chromeIn, err := os.Pipe()
	if err != nil {
		b.removeProfile()
		return nil, fmt.Errorf("cdp: %w", err)
	}
	chromeOut, fromChrome, err := os.Pipe()
	if err != nil {
		toChrome.Close()
		chromeIn.Close()
		b.removeProfile()
		return nil, fmt.Errorf("cdp: %w", err)
	}
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	cmd.Stdout, cmd.Stderr = b.out, b.out
	err = cmd.Start()
	toChrome.Close() // the child's ends
	fromChrome.Close()
	if err != nil {
		chromeIn.Close()
		chromeOut.Close()
		b.removeProfile()
		return nil, fmt.Errorf("cdp: starting Chromium: %w", err)
	}
	go func() {
		b.waitErr = cmd.Wait()
		close(b.exited)
	}()
	b.conn = newConn(chromeIn)
	go func() {
		b.conn.read(chromeOut, b.endError)
		chromeIn.Close()
		chromeOut.Close()
	}()
	if err := b.conn.call(ctx, "", "Browser.getVersion", nil, nil); err != nil {
		b.Close()
		return nil, fmt.Errorf("%v; Chromium's last output: %s", err, b.out.LastLines(5))
	}
	return b, nil
}

// endError is why the pipe ended: Chromium's exit, with its last output.
func (b *Browser) endError(readErr error) error {
	select {
	case <-b.exited:
		return fmt.Errorf("cdp: Chromium exited (%v); its last output: %s", b.waitErr, b.out.LastLines(5))
	case <-time.After(2 * time.Second):
		return fmt.Errorf("cdp: Chromium's pipe closed (%v); its last output: %s", readErr, b.out.LastLines(5))
	}
}

// Close kills Chromium and removes a temporary profile. Calls still
// waiting on it fail.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		b.conn.fail(fmt.Errorf("cdp: the browser was closed"))
		chromium.Kill(b.cmd)
		<-b.exited
		b.removeProfile()
	})
	return nil
}

// removeProfile deletes a temporary profile, retrying while the killed
// processes finish writing.
func (b *Browser) removeProfile() {
	if b.tempProfile == "" {
		return
	}
	for range 20 {
		if os.RemoveAll(b.tempProfile) == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

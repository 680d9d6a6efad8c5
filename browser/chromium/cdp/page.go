package cdp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sync"
)

// Page is a tab of the browser, attached in its own session.
type Page struct {
	b       *Browser
	target  string
	session string

	mu       sync.Mutex
	messages []string
	navSeq   int           // main-frame documents committed
	loadSeq  int           // navSeq when the last load event fired
	changed  chan struct{} // closed and replaced when navSeq or loadSeq moves
}

// NewPage opens a tab, records its console from the start, and navigates
// it to url, waiting for the load event.
func (b *Browser) NewPage(ctx context.Context, url string) (*Page, error) {
	var created struct {
		TargetID string `json:"targetId"`
	}
	if err := b.conn.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &created); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.conn.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	p := &Page{b: b, target: created.TargetID, session: attached.SessionID, changed: make(chan struct{})}
	b.conn.handle(p.session, func(method string, params json.RawMessage) { p.event("", method, params) })
	for _, c := range []struct {
		method string
		params any
	}{
		{"Page.enable", nil},
		{"Runtime.enable", nil},
		{"Log.enable", nil},
		{"Emulation.setDeviceMetricsOverride", map[string]any{"width": b.width, "height": b.height, "deviceScaleFactor": 1, "mobile": false}},
		{"Target.setAutoAttach", autoAttach},
	} {
		if err := p.call(ctx, c.method, c.params, nil); err != nil {
			p.Close()
			return nil, err
		}
	}
	if err := p.Navigate(ctx, url); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Page) call(ctx context.Context, method string, params, out any) error {
	return p.b.conn.call(ctx, p.session, method, params, out)
}

// Navigate loads url in the page and waits for its load event.
func (p *Page) Navigate(ctx context.Context, url string) error {
	seq := p.seq()
	var res struct {
		LoaderID  string `json:"loaderId"`
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": url}, &res); err != nil {
		return err
	}
	if res.ErrorText != "" {
		return fmt.Errorf("cdp: navigating to %s: %s", url, res.ErrorText)
	}
	if res.LoaderID == "" {
		return nil // within the document: nothing loads
	}
	return p.waitLoad(ctx, seq, "navigating to "+url)
}

// Reload reloads the page and waits for its load event.
func (p *Page) Reload(ctx context.Context) error {
	seq := p.seq()
	if err := p.call(ctx, "Page.reload", nil, nil); err != nil {
		return err
	}
	return p.waitLoad(ctx, seq, "reloading")
}

func (p *Page) seq() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.navSeq
}

// waitLoad waits until a document committed after seq has fired load.
func (p *Page) waitLoad(ctx context.Context, seq int, what string) error {
	for {
		p.mu.Lock()
		done, changed := p.navSeq > seq && p.loadSeq == p.navSeq, p.changed
		p.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-p.b.conn.dead:
			return p.b.conn.err
		case <-ctx.Done():
			return fmt.Errorf("cdp: %s: no load event: %w", what, ctx.Err())
		}
	}
}

// Screenshot writes a PNG of the viewport to path.
func (p *Page) Screenshot(ctx context.Context, path string) error {
	var res struct {
		Data string `json:"data"`
	}
	if err := p.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &res); err != nil {
		return err
	}
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		return fmt.Errorf("cdp: screenshot: %w", err)
	}
	return os.WriteFile(path, png, 0o644)
}

// Messages returns what the page and its workers reported so far, in
// order, each as "<level>: <text>": console calls ("log: …", "error: …"),
// the browser's log (a CSP violation is an error naming the Content
// Security Policy) and
// uncaught exceptions ("exception: Error: …"). A worker's start with
// "worker ".
func (p *Page) Messages() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.messages...)
}

// Close closes the tab.
func (p *Page) Close() error {
	p.b.conn.handle(p.session, nil)
	return p.b.conn.call(context.Background(), "", "Target.closeTarget", map[string]any{"targetId": p.target}, nil)
}

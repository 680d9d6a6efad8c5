package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/browser/chromium/cdp"
)

// page is a browser tab under test.
type page struct {
	t  *testing.T
	p  *cdp.Page
	cx context.Context
}

// browser starts headless Chromium, with WebGPU on its software adapter
// unless webgpu is false (the adapter is then refused, as on a machine
// without WebGPU).
func browser(t *testing.T, ctx context.Context, webgpu bool, profile string) *cdp.Browser {
	t.Helper()
	b, err := cdp.Launch(ctx, cdp.Options{WebGPU: webgpu, Profile: profile, Width: 1200, Height: 900})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func open(t *testing.T, ctx context.Context, b *cdp.Browser, url string) *page {
	t.Helper()
	p, err := b.NewPage(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	pg := &page{t: t, p: p, cx: ctx}
	t.Cleanup(pg.checkMessages)
	return pg
}

// eval runs expr in the page and decodes its (awaited) value into out.
func (pg *page) eval(expr string, out any) {
	pg.t.Helper()
	if err := pg.p.Eval(pg.cx, expr, out); err != nil {
		pg.t.Fatalf("%s: %v", expr, err)
	}
}

// wait polls expr until it is truthy; on a timeout the page is captured.
func (pg *page) wait(what, expr string) {
	pg.t.Helper()
	ctx, cancel := context.WithTimeout(pg.cx, 90*time.Second)
	defer cancel()
	if err := pg.p.WaitFor(ctx, expr); err != nil {
		pg.shot("failed-" + sanitize(pg.t.Name()))
		pg.t.Fatalf("waiting for %s (%s): %v\npage messages:\n%s", what, expr, err, strings.Join(pg.p.Messages(), "\n"))
	}
}

func (pg *page) text(selector string) string {
	var s string
	pg.eval(fmt.Sprintf("document.querySelector(%s)?.textContent ?? ''", strconv.Quote(selector)), &s)
	return s
}

func (pg *page) attr(selector, name string) string {
	var s string
	pg.eval(fmt.Sprintf("document.querySelector(%s)?.getAttribute(%s) ?? ''", strconv.Quote(selector), strconv.Quote(name)), &s)
	return s
}

// set gives a form control a value as typing or picking would.
func (pg *page) set(selector, value string) {
	pg.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`,
		strconv.Quote(selector), strconv.Quote(value)), nil)
}

func (pg *page) click(selector string) {
	pg.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) throw new Error("no element %s");
		if (e.disabled) throw new Error("%s is disabled"); e.click(); return true })()`,
		strconv.Quote(selector), selector, selector), nil)
}

func (pg *page) state(want string) {
	pg.t.Helper()
	pg.wait("page state "+want, fmt.Sprintf(`document.body.dataset.state === %s ||
		(document.body.dataset.state === "error" && %s !== "error" && (() => { throw new Error("page error: " +
		document.querySelector("#error")?.textContent) })())`, strconv.Quote(want), strconv.Quote(want)))
}

func (pg *page) shot(name string) {
	path := filepath.Join(screenshotDir(pg.t), name+".png")
	if err := pg.p.Screenshot(pg.cx, path); err != nil {
		pg.t.Errorf("screenshot %s: %v", name, err)
	}
}

// checkMessages fails the test on a CSP violation or an uncaught error the
// page logged.
func (pg *page) checkMessages() {
	for _, m := range pg.p.Messages() {
		if strings.Contains(m, "Refused to") || strings.Contains(m, "Content Security Policy") ||
			strings.Contains(m, "Uncaught") {
			pg.t.Errorf("page reported: %s", m)
		}
	}
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' {
			return '-'
		}
		return r
	}, s)
}

package cdp

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/browser/chromium"
)

func TestNavigateAndReload(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := newServer(t)
	b := launch(t, ctx, Options{})
	p, err := b.NewPage(ctx, "about:blank")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := p.Eval(ctx, "window.marker = 1; document.title", &title); err != nil || title != "cdp test" {
		t.Fatalf("title after Navigate: %q, %v", title, err)
	}
	waitCount(t, ctx, p, "worker warning: from the worker", 1)
	if err := p.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	var marker string
	if err := p.Eval(ctx, `typeof window.marker + " " + document.readyState`, &marker); err != nil || marker != "undefined complete" {
		t.Errorf("after Reload: %q, %v; want a fresh, loaded document", marker, err)
	}
	// Each message is recorded once, though the page's log copies the
	// worker's console.
	waitCount(t, ctx, p, "log: hello 42", 2)
	waitCount(t, ctx, p, "worker warning: from the worker", 2)
	if err := p.Navigate(ctx, "http://127.0.0.1:1/"); err == nil || !strings.Contains(err.Error(), "ERR_") {
		t.Errorf("Navigate to a closed port: %v, want the network error", err)
	}
}

// TestWaitForAcrossNavigation: a navigation that cuts off one of WaitFor's
// evaluations (the page's own, as a demo's "reload with" button makes) is
// no failure; WaitFor asks the next document.
func TestWaitForAcrossNavigation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := newServer(t)
	b := launch(t, ctx, Options{})
	p, err := b.NewPage(ctx, srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	// The first evaluation navigates and awaits a promise the old document
	// never settles; the next finds the new document.
	expr := `location.search === "?next" || (location.assign("/?next"), new Promise(() => {}))`
	if err := p.WaitFor(ctx, expr); err != nil {
		t.Fatalf("WaitFor across a navigation: %v", err)
	}
	var search string
	if err := p.Eval(ctx, "location.search", &search); err != nil || search != "?next" {
		t.Errorf("after WaitFor: location.search %q, %v; want ?next", search, err)
	}
}

// waitCount waits until exactly n messages equal msg.
func waitCount(t *testing.T, ctx context.Context, p *Page, msg string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := 0
		for _, m := range p.Messages() {
			if m == msg {
				got++
			}
		}
		if got == n {
			return
		}
		if got > n || time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%d messages %q, want %d; got %q", got, msg, n, p.Messages())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDeadBrowserIsAnError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := launch(t, ctx, Options{})
	p, err := b.NewPage(ctx, "about:blank")
	if err != nil {
		t.Fatal(err)
	}
	profile := b.tempProfile
	chromium.Kill(b.cmd)
	start := time.Now()
	err = p.Eval(ctx, `new Promise(() => {})`, nil) // would never settle
	if err == nil || !strings.Contains(err.Error(), "Chromium exited") || time.Since(start) > 10*time.Second {
		t.Errorf("Eval on a killed browser: %v after %v, want a prompt error saying Chromium exited", err, time.Since(start))
	}
	if err := p.WaitFor(ctx, "true"); err == nil {
		t.Error("WaitFor on a killed browser succeeded")
	}
	b.Close()
	if _, err := os.Stat(profile); !os.IsNotExist(err) {
		t.Errorf("the temporary profile %s is left after Close (%v)", profile, err)
	}
}

func TestLaunchFailureIsAnError(t *testing.T) {
	t.Setenv("PHI2_CHROMIUM", "/bin/false")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := Launch(ctx, Options{})
	if err == nil {
		b.Close()
		t.Fatal("Launch of a program that exits at once succeeded")
	}
	if ctx.Err() != nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("Launch: %q; want a prompt one-line error", err)
	}
}

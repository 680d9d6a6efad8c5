package cdp

import (
	"context"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPage is served with a CSP that forbids inline scripts, so that its
// inline script is refused and reported.
const testPage = `<!doctype html><title>cdp test</title>
<script src="/page.js"></script>
<script>window.inlineRan = true</script>
<body></body>`

const testScript = `console.log("hello", 42);
window.ready = false;
setTimeout(() => { window.ready = "yes" }, 300);
new Worker("/worker.js");
setTimeout(() => { throw new Error("late boom") }, 0);`

const testWorker = `console.warn("from the worker");
new Worker("/nested.js");`

const testNested = `console.info("from the nested worker");
throw new Error("worker boom");`

func newServer(t *testing.T) *httptest.Server {
	files := map[string]struct{ typ, body string }{
		"/":          {"text/html", testPage},
		"/page.js":   {"text/javascript", testScript},
		"/worker.js": {"text/javascript", testWorker},
		"/nested.js": {"text/javascript", testNested},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", "script-src 'self'")
		w.Header().Set("Content-Type", f.typ)
		w.Write([]byte(f.body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func launch(t *testing.T, ctx context.Context, o Options) *Browser {
	b, err := Launch(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestPage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := newServer(t)
	b := launch(t, ctx, Options{Width: 320, Height: 200})
	p, err := b.NewPage(ctx, srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}

	var sum int
	if err := p.Eval(ctx, "20 + 22", &sum); err != nil || sum != 42 {
		t.Errorf("Eval(20 + 22) = %d, %v; want 42", sum, err)
	}
	var v struct {
		A []int  `json:"a"`
		B string `json:"b"`
	}
	err = p.Eval(ctx, `new Promise(r => setTimeout(() => r({a: [1, 2], b: "x"}), 50))`, &v)
	if err != nil || len(v.A) != 2 || v.A[1] != 2 || v.B != "x" {
		t.Errorf("awaited promise: %+v, %v; want {[1 2] x}", v, err)
	}
	var thrown *EvalError
	err = p.Eval(ctx, `(() => { throw new TypeError("bad thing") })()`, nil)
	if !errors.As(err, &thrown) || thrown.Text != "TypeError: bad thing" {
		t.Errorf("thrown exception: %v, want an EvalError with TypeError: bad thing", err)
	}
	err = p.Eval(ctx, `Promise.reject(new Error("rejected"))`, nil)
	if !errors.As(err, &thrown) || !strings.Contains(thrown.Text, "rejected") {
		t.Errorf("rejected promise: %v, want an EvalError with its message", err)
	}

	if err := p.WaitFor(ctx, `window.ready === "yes"`); err != nil {
		t.Error(err)
	}
	short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	err = p.WaitFor(short, `window.ready === "never" || window.ready`)
	stop()
	if err != nil {
		t.Errorf("WaitFor of a truthy value: %v", err)
	}
	short, stop = context.WithTimeout(ctx, 300*time.Millisecond)
	err = p.WaitFor(short, `window.missing.field`)
	stop()
	if err == nil || !strings.Contains(err.Error(), "TypeError") {
		t.Errorf("WaitFor of a throwing expression: %v, want the exception in the error", err)
	}
	short, stop = context.WithTimeout(ctx, 300*time.Millisecond)
	err = p.WaitFor(short, `document.title.length - 8`)
	stop()
	if err == nil || !strings.Contains(err.Error(), "last value 0") {
		t.Errorf("WaitFor of a falsy value: %v, want the last value 0", err)
	}

	var inline any
	if err := p.Eval(ctx, "window.inlineRan", &inline); err != nil || inline != nil {
		t.Errorf("the inline script ran (%v, %v) despite the CSP", inline, err)
	}
	wantMessages := map[string]string{
		"console log":      "log: hello 42",
		"CSP violation":    "error: Executing inline script violates the following Content Security Policy",
		"uncaught":         "exception: Error: late boom",
		"worker's console": "worker warning: from the worker",
		"nested worker":    "worker info: from the nested worker",
		"worker exception": "worker exception: Error: worker boom",
	}
	waitMessages(t, ctx, p, wantMessages)

	path := filepath.Join(t.TempDir(), "shot.png")
	if err := p.Screenshot(ctx, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 320 || cfg.Height != 200 {
		t.Errorf("screenshot: %dx%d, %v; want a 320x200 PNG", cfg.Width, cfg.Height, err)
	}
}

// waitMessages waits until Messages has a message starting with each of
// want's values.
func waitMessages(t *testing.T, ctx context.Context, p *Page, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		missing := []string{}
		for what, prefix := range want {
			found := false
			for _, m := range p.Messages() {
				found = found || strings.HasPrefix(m, prefix)
			}
			if !found {
				missing = append(missing, what+" ("+prefix+")")
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Errorf("messages lack %s; got %q", strings.Join(missing, ", "), p.Messages())
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// embedPage is a page of the static site that embeds the chat box as the
// README shows it: the default model, loaded at once.
const embedPage = `<!doctype html>
<meta charset="utf-8">
<title>Embedded</title>
<script type="module" src="phi2-chat.js"></script>
<phi2-chat autoload max-tokens="8" temperature="0"></phi2-chat>
`

// TestDist serves the folder `phi2 dist` writes (what `make dist` makes)
// with a plain static file server, Python's http.server: no COOP/COEP, CSP
// or CORS headers, no compression, no Range requests.
// Without its service worker (?nosw) the page is not cross-origin
// isolated: the SIMD kernels run on one thread and the page says why. With
// it, the page reloads once, re-served with the isolation headers, and the
// kernels run on several threads. In both the demo loads the default model
// and generates, and a page of the same site embedding <phi2-chat
// autoload> loads it and replies.
func TestDist(t *testing.T) {
	ctx := timeout(t)
	dist := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command(filepath.Join(bin, "phi2"), "dist", "--out", dist)
	cmd.Env = append(os.Environ(), "PHI2_CACHE="+cacheDir(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("phi2 dist: %v\n%s", err, out)
	}
	writeText(t, filepath.Join(dist, "embed.html"), embedPage)
	srv := staticServer(t, dist)

	t.Run("one thread", func(t *testing.T) {
		b := browser(t, ctx, false, t.TempDir())
		pg := open(t, ctx, b, srv+"/?nosw")
		pg.state("idle")
		if isolated(pg) {
			t.Fatal("the page is cross-origin isolated under a plain file server without its service worker: the test does not test what it says")
		}
		pg.click("#load")
		pg.state("ready")
		if got := pg.text("#badge"); got != "wasm SIMD · 1 thread" {
			t.Errorf("badge %q, want wasm SIMD on one thread", got)
		}
		if !visible(pg, "#isolation-note") {
			t.Error("the page does not say why SIMD runs on one thread")
		}
		generateText(pg, "16")
		pg.shot("dist-demo")
	})

	t.Run("isolated by the service worker", func(t *testing.T) {
		b := browser(t, ctx, false, t.TempDir())
		pg := open(t, ctx, b, srv+"/")
		pg.wait("the page isolated by its service worker", `self.crossOriginIsolated && document.body.dataset.state === "idle"`)
		pg.click("#load")
		pg.state("ready")
		if got := pg.text("#badge"); !regexp.MustCompile(`^wasm SIMD · [2-4] threads$`).MatchString(got) {
			t.Errorf("badge %q, want wasm SIMD on 2 to 4 threads", got)
		}
		if visible(pg, "#isolation-note") {
			t.Error("the isolated page says it is not isolated")
		}
		generateText(pg, "16")
		pg.shot("dist-demo-isolated")

		embed := open(t, ctx, b, srv+"/embed.html")
		const host = `document.querySelector("phi2-chat")`
		const part = host + `.shadowRoot.querySelector('[part~="%s"]')`
		embed.wait("the component ready", host+`.dataset.state === "ready" || (`+host+`.dataset.state === "error" && (() => { throw new Error(`+host+`.shadowRoot.textContent) })())`)
		if !isolated(embed) {
			t.Error("a page of the site embedding <phi2-chat> is not isolated by the service worker")
		}
		embed.eval(fmt.Sprintf(`(() => { const i = %s; i.value = "hello"; i.dispatchEvent(new Event("input", {bubbles: true}));
			%s.click(); return true })()`, fmt.Sprintf(part, "input"), fmt.Sprintf(part, "send")), nil)
		embed.wait("the reply", host+`.dataset.state === "ready" && `+fmt.Sprintf(part, "log")+`.querySelectorAll(".msg").length === 2`)
		var reply string
		embed.eval(fmt.Sprintf(`%s.querySelectorAll(".msg")[1].textContent`, fmt.Sprintf(part, "log")), &reply)
		if strings.TrimSpace(reply) == "" {
			t.Error("the embedded chat box gave an empty reply")
		}
		embed.shot("dist-embed")
	})
}

func isolated(pg *page) bool {
	var v bool
	pg.eval(`self.crossOriginIsolated`, &v)
	return v
}

// staticServer serves dir with Python's http.server on a free loopback
// port, as a site owner may try a static site; it returns the base URL.
func staticServer(t *testing.T, dir string) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is missing: `make test` installs it (make deps)")
	}
	cmd := exec.Command(python, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`port (\d+)`).FindStringSubmatch(sc.Text()); m != nil {
				found <- "http://127.0.0.1:" + m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("python3 -m http.server printed no port")
		return ""
	}
}

package e2e

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phi2web/phi2web/web"
)

// The bundlers the package is tested with, pinned: esbuild, and Vite 6 (the
// last to run on Node 18, Debian 12's); and TypeScript, which checks that
// its types resolve through the package's exports.
const (
	esbuildVersion    = "0.28.2"
	viteVersion       = "6.4.6"
	typescriptVersion = "5.9.3"
)

// typesCheck is TypeScript that uses the package's types as an app would;
// a wrong type or a type the exports do not lead to fails tsc.
const typesCheck = `import { Phi2, Phi2Error, type Engine } from "phi2web";
import "phi2web/chat";
import type { Phi2Chat } from "phi2web/chat";

export async function start(chat: Phi2Chat): Promise<Engine> {
	chat.addEventListener("phi2-error", (e) => console.log(e.detail.code, e.detail.hint));
	const engine = await Phi2.load({ model: Phi2.defaultModel, baseURL: "/phi2web/", onProgress: (p) => console.log(p.phase) });
	const stats = await engine.generate("func", { maxTokens: 4 }).result;
	if (stats.text === "") throw new Phi2Error("internal", "empty");
	return chat.engine ?? engine;
}
`

// maxPackageBytes is the most the packed package may weigh, 20 MB
// (README.md states its size).
const maxPackageBytes = 20_000_000

// appScript is the app a user writes: it imports the package by name, loads
// the default model and generates greedily; the test reads phi2Result.
const appScript = `import { Phi2 } from "phi2web";
import "phi2web/chat";

const params = new URLSearchParams(location.search);
const prompt = params.get("prompt");
const baseURL = params.get("base") ?? undefined; // where the package's files are hosted, if not beside the app
globalThis.phi2Result = (async () => {
	const engine = await Phi2.load({ backend: "simd", baseURL });
	const gen = engine.generate(prompt, { maxTokens: 12, temperature: 0, repeatPenalty: 1 });
	const ids = [];
	for await (const c of gen) if (c.token >= 0) ids.push(c.token);
	const { text } = await gen.result;
	const info = await engine.info();
	return { ids, text, backend: info.backend, threads: info.threads, model: info.model.url, chat: customElements.get("phi2-chat") !== undefined };
})();
`

// appPage is the app's page; head goes into its <head>.
func appPage(head, script string) string {
	return "<!doctype html>\n<meta charset=\"utf-8\">\n<title>phi2web app</title>\n" + head +
		"<script type=\"module\" src=\"" + script + "\"></script>\n<phi2-chat></phi2-chat>\n"
}

// plainImportMap lets a page without a bundler import the package by name
// from the installed package folder.
const plainImportMap = `<script type="importmap">{"imports": {"phi2web": "./node_modules/phi2web/phi2.js",
	"phi2web/chat": "./node_modules/phi2web/phi2-chat.js"}}</script>
`

// TestNPMPackage installs the packed npm package into a fresh project as a
// user would, builds the app with esbuild and with Vite (production
// builds), and also uses it without a bundler (an import map onto the
// installed folder) and from an esbuild bundle whose package files are
// hosted elsewhere (baseURL). Each is served by a plain static file server and
// opened in headless Chromium, where it loads the default model shipped
// in the package and generates greedily: the same tokens as the CLI. The
// Vite build runs again from a server that isolates the page (COOP/COEP),
// where the worker Vite built starts itself again as the kernel threads.
func TestNPMPackage(t *testing.T) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("npm is missing: `make test` installs it (make deps installs Debian's nodejs and npm)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	tgz := packPackage(t, ctx, npm, tmp)
	checkTarball(t, tgz)

	proj := filepath.Join(tmp, "app")
	files := map[string]string{
		"package.json": fmt.Sprintf(`{"name": "phi2web-app", "private": true, "type": "module",
  "dependencies": {"phi2web": %q},
  "devDependencies": {"esbuild": %q, "vite": %q, "typescript": %q}}
`, "file:"+tgz, esbuildVersion, viteVersion, typescriptVersion),
		"src/types.ts":       typesCheck,
		"src/main.js":        appScript,
		"index.html":         appPage("", "./src/main.js"),
		"plain.html":         appPage(plainImportMap, "./src/main.js"),
		"esbuild/index.html": appPage("", "./app.js"),
		"hosted/index.html":  strings.Replace(appPage("", "./app.js"), "<phi2-chat>", `<phi2-chat autoload base-url="/node_modules/phi2web/">`, 1),
		"vite.config.js":     viteConfig,
		".npmrc":             "fund=false\naudit=false\nupdate-notifier=false\n",
	}
	for name, text := range files {
		writeText(t, filepath.Join(proj, name), text)
	}
	run(t, ctx, proj, npm, "install", "--prefer-offline", "--no-audit", "--no-fund")
	run(t, ctx, proj, filepath.Join(proj, "node_modules", ".bin", "tsc"), "--noEmit", "--strict", "--target", "es2022",
		"--module", "esnext", "--moduleResolution", "bundler", "--lib", "es2022,dom", "src/types.ts")
	run(t, ctx, proj, filepath.Join(proj, "node_modules", ".bin", "vite"), "build")
	run(t, ctx, proj, filepath.Join(proj, "node_modules", ".bin", "esbuild"), "src/main.js", "--bundle", "--format=esm",
		"--minify", "--outfile=esbuild/app.js")
	// esbuild leaves new URL(…, import.meta.url) as it is: the package's
	// files go beside the bundle, as its README says.
	run(t, ctx, proj, "cp", "-R", "node_modules/phi2web/.", "esbuild/")
	// Or the package's files stay where they are hosted (baseURL).
	run(t, ctx, proj, "cp", "esbuild/app.js", "hosted/")

	static := http.FileServer(http.Dir(proj))
	srv := httptest.NewServer(static)
	defer srv.Close()
	isolating := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		static.ServeHTTP(w, r)
	}))
	defer isolating.Close()
	// Vite's own servers, as a user runs them first: the production build
	// (vite preview) and the sources (vite).
	vite := filepath.Join(proj, "node_modules", ".bin", "vite")
	preview := startVite(t, ctx, proj, vite, "preview")
	dev := startVite(t, ctx, proj, vite)
	b := browser(t, ctx, false, t.TempDir())
	const prompt = "func (b *Buffer) Len() int {"
	for _, app := range []struct {
		name, server, path string
		threads            int // 1, or more
	}{
		{"vite", srv.URL, "vite/index.html", 1},
		{"esbuild", srv.URL, "esbuild/index.html", 1},
		{"plain", srv.URL, "plain.html", 1},
		{"esbuild, files hosted apart", srv.URL, "hosted/index.html?base=/node_modules/phi2web/", 1},
		{"vite isolated", isolating.URL, "vite/index.html", 2},
		{"vite preview", preview, "index.html", 1},
		{"vite dev", dev, "index.html", 1},
	} {
		t.Run(app.name, func(t *testing.T) {
			sep := map[bool]string{true: "&", false: "?"}[strings.Contains(app.path, "?")]
			pg := open(t, ctx, b, app.server+"/"+app.path+sep+"prompt="+url.QueryEscape(prompt))
			var r struct {
				IDs     []int32
				Text    string
				Backend string
				Threads int
				Model   string
				Chat    bool
			}
			pg.eval(`globalThis.phi2Result`, &r)
			if len(r.IDs) == 0 || r.Text == "" {
				t.Fatalf("the %s app generated nothing: %+v", app.name, r)
			}
			if app.threads == 1 && r.Threads != 1 || app.threads > 1 && r.Threads < 2 {
				t.Errorf("the kernels ran on %d threads, want %s", r.Threads, map[bool]string{true: "1", false: "2 or more"}[app.threads == 1])
			}
			if !r.Chat {
				t.Error("importing phi2web/chat did not define <phi2-chat>")
			}
			if strings.Contains(app.path, "base=") {
				const chat = `document.querySelector("phi2-chat")`
				pg.wait("<phi2-chat base-url> ready", chat+`.dataset.state === "ready" || (`+chat+`.dataset.state === "error" && (() => { throw new Error(`+chat+`.shadowRoot.textContent) })())`)
			}
			sameAsNative(t, "", prompt, r.IDs) // phi-nano, which the CLI embeds
			t.Logf("%s: %q on %s, %d thread(s), model %s", app.name, r.Text, r.Backend, r.Threads, r.Model)
		})
	}
}

// viteConfig builds the app into vite/ with paths relative to its page;
// the development server leaves the package out of its dependency
// pre-bundling, which would move its modules away from the files they load
// (the package's README says so).
const viteConfig = `export default {
	base: "./",
	build: { outDir: "vite" },
	optimizeDeps: { exclude: ["phi2web"] },
};
`

// startVite starts Vite's server (args: "preview" for the build's) in proj
// on a free loopback port and returns its URL once it answers.
func startVite(t *testing.T, ctx context.Context, proj, vite string, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.CommandContext(ctx, vite, append(args, "--host", "127.0.0.1", "--port", port, "--strictPort")...)
	cmd.Dir = proj
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	u := "http://127.0.0.1:" + port
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(u + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return u
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("vite %s did not answer on %s:\n%s", strings.Join(args, " "), u, out.String())
		}
	}
}

// packPackage writes the package folder with `phi2 dist --npm` (what
// `make npm` does) and packs it; it returns the tarball's path.
func packPackage(t *testing.T, ctx context.Context, npm, dir string) string {
	t.Helper()
	folder := filepath.Join(dir, "package")
	cmd := exec.Command(filepath.Join(bin, "phi2"), "dist", "--npm", "--out", folder)
	cmd.Env = append(os.Environ(), "PHI2_CACHE="+cacheDir(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("phi2 dist --npm: %v\n%s", err, out)
	}
	out := run(t, ctx, dir, npm, "pack", "--json", "--pack-destination", dir, folder)
	var packed []struct{ Filename string }
	if err := json.Unmarshal([]byte(out), &packed); err != nil || len(packed) != 1 {
		t.Fatalf("npm pack --json printed %q (%v)", out, err)
	}
	return filepath.Join(dir, packed[0].Filename)
}

// checkTarball checks the packed package's size and that it holds what
// the package needs, and nothing of the demo site.
func checkTarball(t *testing.T, tgz string) {
	t.Helper()
	st, err := os.Stat(tgz)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > maxPackageBytes {
		t.Errorf("the package packs to %d bytes, more than %d", st.Size(), maxPackageBytes)
	}
	t.Logf("%s: %.1f MB", filepath.Base(tgz), float64(st.Size())/1e6)
	names := tarNames(t, tgz)
	want := append([]string{"package.json", "README.md", "LICENSE", "models/default/manifest.json"}, web.PackageFiles...)
	for _, name := range want {
		if !slices.Contains(names, name) {
			t.Errorf("the package lacks %s", name)
		}
	}
	for _, name := range names {
		if name == "index.html" || name == "demo.js" || name == "sw.js" {
			t.Errorf("the package holds the demo's %s", name)
		}
	}
}

func tarNames(t *testing.T, tgz string) []string {
	f, err := os.Open(tgz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimPrefix(h.Name, "package/"))
	}
}

// run runs a command in dir and returns its stdout; it fails the test with
// the command's output.
func run(t *testing.T, ctx context.Context, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

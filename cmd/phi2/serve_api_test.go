//go:build !wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/generate"
	"github.com/phi2web/phi2web/web/openai"
)

// apiServer runs serve on the default model, on the pure-Go backend with
// key and a queue of queue, and collects the generations it reports.
type apiServer struct {
	url      string
	mu       sync.Mutex
	finished []openai.Finished
}

func startAPI(t *testing.T, key string, queue int) *apiServer {
	fakeEngine(t)
	s := &apiServer{}
	o := serveOptions{addr: "127.0.0.1:0", api: apiOptions{engine: engineFlags{backend: "cpu"}, key: key, queue: queue,
		onFinish: func(f openai.Finished) {
			s.mu.Lock()
			s.finished = append(s.finished, f)
			s.mu.Unlock()
		}}}
	s.url = startServe(t, o) + "v1"
	return s
}

func (s *apiServer) generations() []openai.Finished {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]openai.Finished(nil), s.finished...)
}

// generated is `phi2 generate --json` on the default model with args.
func generated(t *testing.T, args ...string) generateOutput {
	t.Helper()
	out, errOut, code := runCLI(append([]string{"generate", "--backend", "cpu", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("generate %q: %s", args, errOut)
	}
	var res generateOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// openaiPackage is the official OpenAI client for Node.js, installed once
// from the npm registry into build/npm (the version pinned here).
func openaiPackage(t *testing.T) string {
	const version = "6.49.0"
	root, err := filepath.Abs(filepath.Join("..", "..", "build", "npm", "openai-"+version))
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(root, "node_modules", "openai")
	if fileExists(filepath.Join(pkg, "index.mjs")) {
		return pkg
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatal("npm is needed to install the openai client for this test: run make deps")
	}
	work := root + ".tmp"
	os.RemoveAll(work)
	cmd := exec.Command("npm", "install", "--prefix", work, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "openai@"+version)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install openai@%s: %v\n%s", version, err, out)
	}
	if err := os.Rename(work, root); err != nil && !fileExists(filepath.Join(pkg, "index.mjs")) {
		t.Fatal(err)
	}
	return pkg
}

// TestOpenAIClient: the official client's chat and text completions,
// streamed and not, give the text `phi2 generate` gives with the same
// settings; its abort stops the generation on the server; errors reach it
// in OpenAI's shape.
func TestOpenAIClient(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is needed for this test: run make deps")
	}
	pkg := openaiPackage(t)
	s := startAPI(t, "test-key", 4)
	const question, prompt = "Write a function that adds two numbers.", "func (b *Buffer) Len() int {"
	settings := map[string]any{
		"model": "phi-nano", "question": question, "prompt": prompt, "abortPrompt": "package main\n",
		// Sampled with every option given.
		"chat": map[string]any{"max_tokens": 24, "temperature": 0.8, "top_p": 0.9, "top_k": 20, "min_p": 0.02, "repetition_penalty": 1.2, "seed": 11},
		// Greedy, without a repeat penalty.
		"completion": map[string]any{"max_tokens": 24, "temperature": 0, "repetition_penalty": 1, "stop": []string{"\n\n\n"}},
	}
	js, _ := json.Marshal(settings)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "openai-client.mjs"))
	cmd.Env = append(os.Environ(), "PHI2_API_URL="+s.url, "PHI2_API_KEY=test-key", "OPENAI_PACKAGE="+pkg, "PHI2_SETTINGS="+string(js))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the client: %v\n%s", err, stderr.String())
	}
	var got struct {
		Chat, ChatStream, Completion, CompletionStream, Defaults string
		ChatTokens, CompletionTokens, AbortedAfter               int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the client printed %q: %v", out, err)
	}
	chatGen := generated(t, "--prompt", "Instruct: "+question+"\nOutput:", "--max-tokens", "24", "--temperature", "0.8",
		"--top-p", "0.9", "--top-k", "20", "--min-p", "0.02", "--repeat-penalty", "1.2", "--repeat-window", "0", "--seed", "11",
		"--stop", "\nInstruct:", "--stop", "<|endoftext|>")
	chat := strings.TrimSpace(chatGen.Text)
	if got.Chat != chat || got.ChatStream != chat || got.ChatTokens != chatGen.GeneratedTokens {
		t.Errorf("chat %q in %d tokens, streamed %q; phi2 generate gives %q in %d", got.Chat, got.ChatTokens, got.ChatStream, chat, chatGen.GeneratedTokens)
	}
	textGen := generated(t, "--prompt", prompt, "--max-tokens", "24", "--temperature", "0", "--stop", "\n\n\n")
	text := textGen.Text
	if got.Completion != text || got.CompletionStream != text || got.CompletionTokens != textGen.GeneratedTokens {
		t.Errorf("completion %q in %d tokens, streamed %q; phi2 generate gives %q in %d", got.Completion, got.CompletionTokens, got.CompletionStream, text, textGen.GeneratedTokens)
	}
	// The defaults are the JS API's, with the penalty over the whole history.
	defaults := generated(t, "--prompt", prompt, "--max-tokens", "24", "--seed", "5", "--temperature", "0.7", "--top-k", "40",
		"--top-p", "0.95", "--min-p", "0.05", "--repeat-penalty", "1.1", "--repeat-window", "0").Text
	if got.Defaults != defaults {
		t.Errorf("completion with the defaults %q; phi2 generate gives %q", got.Defaults, defaults)
	}
	if chat == "" || text == "" {
		t.Errorf("empty texts: chat %q, completion %q", chat, text)
	}
	// The aborted generation ended on the server, cancelled, long before
	// its 400 tokens.
	var aborted *openai.Finished
	for deadline := time.Now().Add(5 * time.Second); aborted == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, f := range s.generations() {
			if f.StopReason == generate.StopCancelled {
				aborted = &f
			}
		}
	}
	switch {
	case aborted == nil:
		t.Errorf("no generation was cancelled: %+v", s.generations())
	case aborted.Tokens >= 400 || aborted.Tokens < got.AbortedAfter:
		t.Errorf("the aborted generation made %d tokens; the client read %d of 400", aborted.Tokens, got.AbortedAfter)
	}
}

// TestAPILoad: 50 requests at once, against one generation at a time
// and a queue of 4: each is answered (200, whole) or refused (503 with
// Retry-After), none is lost or hangs, and the server answers afterwards.
func TestAPILoad(t *testing.T) {
	s := startAPI(t, "", 4)
	client := &http.Client{Timeout: time.Minute}
	const n = 50
	results := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- loadRequest(client, s.url, i%2 == 0)
		}()
	}
	wg.Wait()
	close(results)
	counts := map[string]int{}
	for r := range results {
		counts[r]++
	}
	if counts["200"]+counts["503"] != n || counts["200"] == 0 || counts["503"] == 0 {
		t.Errorf("outcomes %v: want every request answered whole or refused with 503, some of each", counts)
	}
	t.Logf("outcomes: %v", counts)
	if got := len(s.generations()); got != counts["200"] {
		t.Errorf("%d generations ran for %d answers", got, counts["200"])
	}
	if r := loadRequest(client, s.url, false); r != "200" {
		t.Errorf("after the load: %s", r)
	}
}

// loadRequest posts a short completion and says how it went: "200" for a
// whole answer, "503" for a proper refusal, else what was wrong.
func loadRequest(client *http.Client, url string, stream bool) string {
	body := fmt.Sprintf(`{"prompt":"func main() {","max_tokens":16,"temperature":0,"stream":%v}`, stream)
	resp, err := client.Post(url+"/completions", "application/json", strings.NewReader(body))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	var e struct{ Error struct{ Code string } }
	switch {
	case resp.StatusCode == 503 && resp.Header.Get("Retry-After") != "" && json.Unmarshal(data, &e) == nil && e.Error.Code == "server_busy":
		return "503"
	case resp.StatusCode != 200:
		return fmt.Sprintf("%s %s", resp.Status, data)
	case stream && !bytes.HasSuffix(data, []byte("data: [DONE]\n\n")):
		return fmt.Sprintf("a stream without [DONE]: %q", data)
	case !stream && json.Unmarshal(data, &struct{}{}) != nil:
		return fmt.Sprintf("not JSON: %q", data)
	}
	return "200"
}

// The API open beyond loopback without a key is warned about.
func TestWarnOpen(t *testing.T) {
	for _, c := range []struct {
		ip, key string
		warn    bool
	}{{"127.0.0.1", "", false}, {"::1", "", false}, {"0.0.0.0", "", true}, {"192.168.1.2", "", true}, {"0.0.0.0", "k", false}} {
		var out strings.Builder
		warnOpen(&out, &net.TCPAddr{IP: net.ParseIP(c.ip), Port: 8080}, c.key)
		if got := strings.Contains(out.String(), "open to the network without a key"); got != c.warn {
			t.Errorf("%s with key %q: warned %q", c.ip, c.key, out.String())
		}
	}
}

// The key comes from --api-key, else from PHI2_API_KEY.
func TestAPIKeyFromEnvironment(t *testing.T) {
	t.Setenv("PHI2_API_KEY", "from-env")
	for args, want := range map[string]string{"": "from-env", "--api-key=given": "given"} {
		fs := newFlags("serve")
		var a apiOptions
		a.registerServe(fs)
		if err := parse(fs, strings.Fields(args)); err != nil {
			t.Fatal(err)
		}
		if err := a.check(fs); err != nil || a.key != want {
			t.Errorf("%q: key %q, %v; want %q", args, a.key, err, want)
		}
	}
}

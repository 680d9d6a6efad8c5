package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phi2web/phi2web/runtime/generate"
)

// fakeEngine generates the texts of tokens in turn, pausing between them,
// and records what it was asked.
type fakeEngine struct {
	tokens  []string      // the texts of the tokens made, then the end of text
	pause   time.Duration // between tokens
	context int
	hold    chan struct{} // when set, each generation waits for it first

	mu      sync.Mutex
	prompts [][]int32
	opts    []generate.Options
	running int // generations at once, now
	most    int // and at most
}

func (f *fakeEngine) MaxContext() int { return f.context }

func (f *fakeEngine) Generate(ctx context.Context, prompt []int32, o generate.Options, onToken func(generate.Event) error) (generate.Result, error) {
	f.mu.Lock()
	f.prompts, f.opts = append(f.prompts, prompt), append(f.opts, o)
	f.running++
	f.most = max(f.most, f.running)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.running--; f.mu.Unlock() }()
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
		}
	}
	var res generate.Result
	for i := 0; ; i++ {
		if ctx.Err() != nil {
			res.StopReason = generate.StopCancelled
			return res, nil
		}
		if i == len(f.tokens) {
			res.IDs, res.StopReason = append(res.IDs, 50256), generate.StopEOS
			return res, nil
		}
		if o.MaxTokens > 0 && i == o.MaxTokens {
			res.StopReason = generate.StopMaxTokens
			return res, nil
		}
		time.Sleep(f.pause)
		res.IDs = append(res.IDs, int32(i))
		res.Text += f.tokens[i]
		if onToken != nil {
			if err := onToken(generate.Event{ID: int32(i), Text: f.tokens[i]}); err != nil {
				return res, err
			}
		}
	}
}

func (f *fakeEngine) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.prompts)
}

// finishes collects the handler's OnFinish reports.
type finishes struct {
	mu   sync.Mutex
	list []Finished
	c    chan Finished
}

func (fs *finishes) add(f Finished) {
	fs.mu.Lock()
	fs.list = append(fs.list, f)
	fs.mu.Unlock()
	if fs.c != nil {
		fs.c <- f
	}
}

// newTestServer serves a handler over engine with o's other options.
func newTestServer(t *testing.T, engine Engine, o Options) *httptest.Server {
	t.Helper()
	o.Model = "phi-test"
	o.Open = func() (Engine, error) { return engine, nil }
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// client gives up on a server that does not answer.
var client = &http.Client{Timeout: 10 * time.Second}

package cdp

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// event records what a session of the page reports: its own, or one of
// a target it started (prefix "worker " and the like). It runs on the reading goroutine.
func (p *Page) event(prefix, method string, params json.RawMessage) {
	switch method {
	case "Page.frameNavigated":
		var ev struct {
			Frame struct {
				ParentID string `json:"parentId"`
			} `json:"frame"`
		}
		if json.Unmarshal(params, &ev) == nil && ev.Frame.ParentID == "" && prefix == "" {
			p.moved(func() { p.navSeq++ })
		}
	case "Page.loadEventFired":
		if prefix == "" {
			p.moved(func() { p.loadSeq = p.navSeq })
		}
	case "Runtime.consoleAPICalled":
		var ev struct {
			Type string         `json:"type"`
			Args []remoteObject `json:"args"`
		}
		if json.Unmarshal(params, &ev) == nil {
			parts := make([]string, len(ev.Args))
			for i, a := range ev.Args {
				parts[i] = a.text()
			}
			p.record(prefix + ev.Type + ": " + strings.Join(parts, " "))
		}
	case "Log.entryAdded":
		var ev struct {
			Entry struct {
				Level  string `json:"level"`
				Source string `json:"source"`
				Text   string `json:"text"`
			} `json:"entry"`
		}
		if json.Unmarshal(params, &ev) == nil {
			if ev.Entry.Source == "worker" {
				break // a copy of what the worker's own session reports
			}
			p.record(prefix + ev.Entry.Level + ": " + ev.Entry.Text)
		}
	case "Runtime.exceptionThrown":
		var ev struct {
			Details exceptionDetails `json:"exceptionDetails"`
		}
		if json.Unmarshal(params, &ev) == nil {
			p.record(prefix + "exception: " + ev.Details.text())
		}
	case "Target.attachedToTarget":
		var ev struct {
			SessionID  string `json:"sessionId"`
			TargetInfo struct {
				Type string `json:"type"`
			} `json:"targetInfo"`
		}
		if json.Unmarshal(params, &ev) == nil {
			child := ev.TargetInfo.Type + " " // "worker ", "iframe " …
			p.b.conn.handle(ev.SessionID, func(m string, params json.RawMessage) { p.event(child, m, params) })
			go p.startWorker(ev.SessionID)
		}
	}
}

// autoAttach attaches the workers a target starts, paused until their
// console is recorded too.
var autoAttach = map[string]any{"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}

// startWorker turns on the console of a worker (or other target the
// page started), then lets it run.
func (p *Page) startWorker(session string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct {
		method string
		params any
	}{
		{"Runtime.enable", nil},
		{"Log.enable", nil},
		{"Target.setAutoAttach", autoAttach}, // the workers it starts
		{"Runtime.runIfWaitingForDebugger", nil},
	} {
		p.b.conn.call(ctx, session, c.method, c.params, nil) // a target without the domain still runs
	}
}

func (p *Page) record(msg string) {
	p.mu.Lock()
	p.messages = append(p.messages, msg)
	p.mu.Unlock()
}

// moved applies f to the navigation counters and wakes their waiters.
func (p *Page) moved(f func()) {
	p.mu.Lock()
	f()
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

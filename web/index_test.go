package web

import (
	"regexp"
	"strings"
	"testing"
)

// TestIndexLinksAreServed: every file index.html names is served, and it
// declares its icon, so that no browser asks for a /favicon.ico that does
// not exist.
func TestIndexLinksAreServed(t *testing.T) {
	ts := newTestSite(t)
	page, err := Static.ReadFile("index.html")
	if err != nil {
		t.Fatal(err)
	}
	icon := regexp.MustCompile(`<link rel="icon" href="([^"]+)"`).FindSubmatch(page)
	if icon == nil {
		t.Error(`index.html declares no <link rel="icon">: browsers then ask for /favicon.ico, a 404`)
	}
	for _, m := range regexp.MustCompile(`(?:href|src)="([^"]+)"`).FindAllSubmatch(page, -1) {
		ref := string(m[1])
		if strings.Contains(ref, ":") || strings.HasPrefix(ref, "#") {
			continue // another site's, or a fragment
		}
		if w := ts.do("GET", "/"+ref, nil, nil); w.Code != 200 {
			t.Errorf("index.html names %s, which the site answers with %d", ref, w.Code)
		}
	}
}

//go:build js && wasm

package idb

import (
	"errors"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/store"
)

func TestEstimate(t *testing.T) {
	s := openFresh(t, freshName(t))
	usage, quota, err := s.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	if quota <= 0 || usage < 0 || usage > quota {
		t.Fatalf("Estimate() = usage %d, quota %d; want 0 <= usage <= quota, quota > 0", usage, quota)
	}
	t.Logf("usage %d bytes, quota %d MB", usage, quota/1e6)
}

func TestPersist(t *testing.T) {
	ok, err := Persist()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("persistent storage: %v", ok)
}

func TestDOMErrors(t *testing.T) {
	quota, err := newGlobal("DOMException", "no room left", "QuotaExceededError")
	if err != nil {
		t.Fatal(err)
	}
	e := jsError(quota)
	if !errors.Is(e, ErrQuota) || !errors.Is(e, store.ErrNoSpace) {
		t.Errorf("error of a QuotaExceededError (%v) does not wrap ErrQuota and store.ErrNoSpace", e)
	}
	other, _ := newGlobal("DOMException", "bad key", "DataError")
	e = jsError(other)
	var d *DOMError
	if !errors.As(e, &d) || d.Name != "DataError" || d.Message != "bad key" || errors.Is(e, ErrQuota) {
		t.Errorf("error of a DataError = %#v", e)
	}
	if !strings.Contains(e.Error(), "DataError") || !strings.Contains(e.Error(), "bad key") {
		t.Errorf("error text %q lacks the name and message", e)
	}
}

// A failed request aborts the transaction with the DOMException's name.
func TestRequestError(t *testing.T) {
	s := openFresh(t, freshName(t))
	tx, err := s.begin("readwrite", "adding twice")
	if err != nil {
		t.Fatal(err)
	}
	tx.req(tx.models, "add", 1, "k")
	tx.req(tx.models, "add", 2, "k")
	err = tx.wait()
	var d *DOMError
	if !errors.As(err, &d) || d.Name != "ConstraintError" || !strings.Contains(err.Error(), "adding twice") {
		t.Fatalf("adding a key twice: err = %v, want a ConstraintError naming the operation", err)
	}
}

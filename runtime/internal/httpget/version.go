package httpget

import (
	"fmt"
	"strings"
)

// Version identifies one version of a file on a server: its strong ETag,
// else its Last-Modified date. Range reads pinned to a Version (GetRange)
// never mix the bytes of two versions.
type Version struct{ ETag, LastModified string }

// VersionOf returns the version an answer's headers give; a weak ETag
// does not count, since it may name other bytes.
func VersionOf(h Header) Version {
	v := Version{LastModified: h.Get("Last-Modified")}
	if e := h.Get("ETag"); e != "" && !strings.HasPrefix(e, "W/") {
		v.ETag = e
	}
	return v
}

// Known reports whether v identifies a version.
func (v Version) Known() bool { return v.ETag != "" || v.LastModified != "" }

// ifRange is the If-Range value that asks for v's bytes only.
func (v Version) ifRange() string {
	if v.ETag != "" {
		return v.ETag
	}
	return v.LastModified
}

// Differs reports whether w is surely another version than v: a validator
// both give differs.
func (v Version) Differs(w Version) bool {
	if v.ETag != "" && w.ETag != "" {
		return v.ETag != w.ETag
	}
	return v.LastModified != "" && w.LastModified != "" && v.LastModified != w.LastModified
}

func (v Version) String() string {
	switch {
	case v.ETag != "":
		return "ETag " + v.ETag
	case v.LastModified != "":
		return "Last-Modified " + v.LastModified
	}
	return "unknown version"
}

// ChangedError is the answer to a Range request pinned to one version of a
// file when the server has another: the file changed while it was read.
type ChangedError struct {
	URL      string
	Was, Now Version
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("GET %s: the file changed on the server while it was read (%v, now %v)", e.URL, e.Was, e.Now)
}

package weights

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// eachMember decodes data as exactly one JSON object and calls fn for each
// member in the order written, with the raw value. encoding/json would keep
// the last of two equal keys without a word; here a repeated key is an error,
// and so is anything but whitespace after the object.
func eachMember(data []byte, fn func(key string, value json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // describe 1e999 as it is written instead of failing to convert it
	tok, err := dec.Token()
	if err != nil {
		return jsonErr(dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want a JSON object, found %s", describeToken(tok))
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonErr(dec, err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("want an object key at byte %d", dec.InputOffset())
		}
		if seen[key] {
			return fmt.Errorf("duplicate key %s", showName(key))
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonErr(dec, err)
		}
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return jsonErr(dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("invalid JSON: unexpected data after the object at byte %d", dec.InputOffset())
	}
	return nil
}

func jsonErr(dec *json.Decoder, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("invalid JSON near byte %d: %v", dec.InputOffset(), err)
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return string(t)
	case string:
		return "a string"
	case nil:
		return "null"
	case json.Number:
		return clip(json.RawMessage(t))
	}
	return fmt.Sprint(tok)
}

// showName prints a tensor or key name bare when that is unambiguous and
// quoted otherwise, so that every message stays on one line.
func showName(s string) string {
	if s == "" || len(s) > 200 || strings.IndexFunc(s, func(r rune) bool {
		return r == unicode.ReplacementChar || !unicode.IsPrint(r) || unicode.IsSpace(r) || r == '"'
	}) >= 0 {
		return strconv.QuoteToASCII(s)
	}
	return s
}

// parseInt reads a raw JSON value that must be an integer literal.
func parseInt(raw json.RawMessage) (int64, error) {
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not an integer", clip(raw))
	}
	return v, nil
}

// clip shortens a raw JSON value for an error message, keeping it on one
// line and escaping what would not print.
func clip(raw json.RawMessage) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	for i := range s { // i steps over runes, so the cut stays on a boundary
		if i > 40 {
			s = s[:i] + "..."
			break
		}
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		q := strconv.QuoteToASCII(s)
		return q[1 : len(q)-1]
	}
	return s
}

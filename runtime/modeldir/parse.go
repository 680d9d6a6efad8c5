package modeldir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// parseManifest decodes and validates manifest.json, reporting the first
// problem found.
func parseManifest(data []byte) (*Model, error) {
	mj, err := decodeManifest(data)
	if err == nil {
		var m *Model
		if m, err = checkManifest(mj); err == nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("%s: %v", ManifestFile, err)
}

// decodeManifest checks the format name and version before anything else,
// so that a manifest of another version is named as such rather than as a
// pile of unknown fields. The rest is decoded strictly.
func decodeManifest(data []byte) (*manifestJSON, error) {
	var head struct {
		Format  *string         `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonError(err)
	}
	if head.Format == nil || *head.Format != FormatName {
		return nil, fmt.Errorf("not a %s manifest (format is %s)", FormatName, showValue(head.Format))
	}
	v, err := strconv.ParseInt(string(head.Version), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("version %s: want an integer", clip(head.Version))
	}
	if v != FormatVersion {
		return nil, fmt.Errorf("format version %d is not supported by this build (supports %d): convert the model again or update", v, FormatVersion)
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var mj manifestJSON
	if err := dec.Decode(&mj); err != nil { // Unmarshal above refused trailing data
		return nil, jsonError(err)
	}
	return &mj, nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, err)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("invalid JSON: unexpected end of input")
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) { // said without Go's names for the types
		msg := fmt.Sprintf("want %s, found %s", jsonKind(typ.Type), typ.Value)
		if typ.Field != "" {
			msg = typ.Field + ": " + msg
		}
		return errors.New(msg)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: ")) // an unknown field
}

// jsonKind names the JSON value that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "an integer"
}

// showValue quotes a string from the manifest for a one-line message.
func showValue(s *string) string {
	if s == nil {
		return "missing"
	}
	if len(*s) > 80 {
		return strconv.QuoteToASCII((*s)[:80]) + "..."
	}
	return strconv.QuoteToASCII(*s)
}

// clip shows a raw JSON value in a message, on one line and short.
func clip(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	for _, c := range []byte(s) {
		if c < ' ' || c > '~' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// shapeString formats a shape as [a, b].
func shapeString(shape []int) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, d := range shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(d))
	}
	sb.WriteByte(']')
	return sb.String()
}

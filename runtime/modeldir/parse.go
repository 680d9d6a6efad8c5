package modeldir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web/runtime/weights"
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
	return errors.New(strings.TrimPrefix(err.Error(), "json: ")) // a field of the wrong type or name
}

// checkManifest validates everything but the shard contents and builds the
// Model (without a Source).
func checkManifest(mj *manifestJSON) (*Model, error) {
	if len(mj.Config) == 0 || string(mj.Config) == "null" {
		return nil, errors.New("config is missing")
	}
	cfg, err := weights.ParseConfig(mj.Config)
	if err != nil {
		return nil, fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "config.json: "))
	}
	var cfgJSON bytes.Buffer
	json.Compact(&cfgJSON, mj.Config) // ParseConfig accepted it, so it is valid JSON
	meta := Meta{ConfigJSON: cfgJSON.Bytes(), Config: cfg, Tokenizer: mj.Tokenizer,
		Quant: mj.Quant, EmbedQuant: mj.EmbedQuant}
	if err := checkMeta(meta); err != nil {
		return nil, err
	}
	if err := checkShardSize(mj.ShardSize); err != nil {
		return nil, err
	}
	shards, err := checkShards(mj.Shards, mj.ShardSize)
	if err != nil {
		return nil, err
	}
	tensors, err := checkTensors(mj.Tensors, cfg.Expected(), shards, mj.ShardSize)
	if err != nil {
		return nil, err
	}
	return &Model{meta: meta, shardSize: mj.ShardSize, tensors: tensors, shards: shards}, nil
}

// checkMeta validates the fields shared by reader and writer.
func checkMeta(m Meta) error {
	switch {
	case m.Tokenizer.Name == "":
		return errors.New("tokenizer name is empty")
	case !isSHA256(m.Tokenizer.SHA256):
		return fmt.Errorf("tokenizer sha256 %s: want 64 lowercase hex digits", showValue(&m.Tokenizer.SHA256))
	}
	if _, err := storedDType(m.Quant); err != nil {
		return fmt.Errorf("quant: %v", err)
	}
	if _, err := storedDType(m.EmbedQuant); err != nil {
		return fmt.Errorf("embed_quant: %v", err)
	}
	return nil
}

func checkShardSize(n int64) error {
	if n <= 0 || n > MaxShardSize || n%Alignment != 0 {
		return fmt.Errorf("shard_size %d: want a positive multiple of %d up to %d", n, Alignment, MaxShardSize)
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isPlainName accepts a short file name of letters, digits, '.', '-' and
// '_' that is neither "." nor "..": it can name no other directory, and it
// prints on one line.
func isPlainName(s string) bool {
	if s == "" || len(s) > 255 || strings.Contains(s, "..") || s == "." {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
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

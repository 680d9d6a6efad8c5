package modeldir

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Close finishes the last shard, checks that every tensor of the config
// was added, and commits manifest.json (for a directory: through a
// temporary file renamed into place, after removing shard files of an
// earlier conversion that the new manifest does not list). On any error
// Close removes what it wrote.
func (w *Writer) Close() error {
	if w.done {
		return errClosed
	}
	err := w.close()
	if err != nil {
		w.Abort()
		return err
	}
	w.done = true
	w.err = errClosed
	return nil
}

func (w *Writer) close() error {
	if w.err != nil {
		return w.err
	}
	for _, s := range w.expected {
		if _, missing := w.pending[s.Name]; missing {
			return fmt.Errorf("modeldir: tensor %s was not added", s.Name)
		}
	}
	if w.cur != nil {
		if err := w.finishShard(); err != nil {
			return err
		}
	}
	if err := w.sink.Commit(w.manifest()); err != nil {
		return fmt.Errorf("modeldir: %w", err)
	}
	return nil
}

// Abort stops writing and removes the shard files and temporary files
// written so far. It does nothing after a successful Close.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.fail(errClosed)
	if w.cur != nil {
		w.cur.discard()
		w.cur = nil
	}
	w.sink.Abort()
}

// manifest renders manifest.json: one field per line, and one line per
// tensor and per shard, so that it reads and diffs well.
func (w *Writer) manifest() []byte {
	var b bytes.Buffer
	field := func(key string, v any, last bool) {
		enc, _ := json.Marshal(v) // plain values: cannot fail
		if raw, ok := v.(json.RawMessage); ok {
			enc = raw // Marshal would escape <, > and & in its strings
		}
		fmt.Fprintf(&b, "  %q: %s", key, enc)
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("{\n")
	field("format", FormatName, false)
	field("version", FormatVersion, false)
	field("config", json.RawMessage(w.meta.ConfigJSON), false) // compact, as read
	field("tokenizer", w.meta.Tokenizer, false)
	field("quant", w.meta.Quant, false)
	field("embed_quant", w.meta.EmbedQuant, false)
	field("shard_size", w.opts.ShardSize, false)
	list := func(key string, n int, item func(i int) any, last bool) {
		fmt.Fprintf(&b, "  %q: [\n", key)
		for i := range n {
			enc, _ := json.Marshal(item(i))
			b.WriteString("    ")
			b.Write(enc)
			if i < n-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("  ]")
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	list("tensors", len(w.tensors), func(i int) any { return w.tensors[i] }, false)
	list("shards", len(w.shards), func(i int) any { return w.shards[i] }, true)
	b.WriteString("}\n")
	return b.Bytes()
}

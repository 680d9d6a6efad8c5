package modeldir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// memSink keeps a model directory's files in memory and logs the calls.
type memSink struct {
	files    map[string][]byte
	log      []string
	failOn   string // a shard whose writes fail
	failFrom string // "Begin" or "Commit": that call fails
}

var errSink = errors.New("sink refuses")

func (s *memSink) Begin() error {
	s.log = append(s.log, "Begin")
	if s.failFrom == "Begin" {
		return errSink
	}
	s.files = map[string][]byte{}
	return nil
}

func (s *memSink) CreateShard(name string) (ShardWriter, error) {
	s.log = append(s.log, "Create "+name)
	return &memShard{s: s, name: name}, nil
}

func (s *memSink) Commit(manifest []byte) error {
	s.log = append(s.log, "Commit")
	if s.failFrom == "Commit" {
		return errSink
	}
	s.files[ManifestFile] = manifest
	return nil
}

func (s *memSink) Abort() { s.log = append(s.log, "Abort"); s.files = nil }

type memShard struct {
	s    *memSink
	name string
	buf  bytes.Buffer
}

func (w *memShard) Write(p []byte) (int, error) {
	if w.name == w.s.failOn {
		return 0, errSink
	}
	return w.buf.Write(p)
}

func (w *memShard) Commit() error {
	w.s.log = append(w.s.log, "Commit "+w.name)
	w.s.files[w.name] = w.buf.Bytes()
	return nil
}

func (w *memShard) Discard() { w.s.log = append(w.s.log, "Discard "+w.name) }

// A Writer gives a Sink exactly the files it writes to a directory, each
// shard created and committed in turn, the manifest last.
func TestWriterToSink(t *testing.T) {
	ts := testTensors(t, 3)
	opts := WriterOptions{ShardSize: 2048}
	dir := writeDir(t, ts, opts)
	sink := &memSink{}
	w, err := NewWriterTo(sink, testMeta(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ts {
		if err := w.Add(s.name, s.dt, s.shape, s.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	names := listDir(t, dir)
	if len(names) < 4 || len(names) != len(sink.files) {
		t.Fatalf("the sink holds %d files, the directory %v", len(sink.files), names)
	}
	want := []string{"Begin"}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sink.files[name], data) {
			t.Errorf("%s: the sink's bytes differ from the file's", name)
		}
		if name != ManifestFile {
			want = append(want, "Create "+name, "Commit "+name)
		}
	}
	want = append(want, "Commit")
	if !slices.Equal(sink.log, want) {
		t.Errorf("sink calls %v, want %v", sink.log, want)
	}
}

// The sink's errors end the writing, wrapped and naming the shard, and the
// sink is aborted; bad metadata is refused before the sink is touched.
func TestWriterSinkErrors(t *testing.T) {
	ts := testTensors(t, 3)
	bad := testMeta()
	bad.Quant = "BF16"
	sink := &memSink{}
	if _, err := NewWriterTo(sink, bad, WriterOptions{}); err == nil || len(sink.log) != 0 {
		t.Fatalf("bad metadata: %v, sink calls %v; want an error and none", err, sink.log)
	}
	sink = &memSink{failFrom: "Begin"}
	if _, err := NewWriterTo(sink, testMeta(), WriterOptions{}); !errors.Is(err, errSink) {
		t.Errorf("NewWriterTo with a failing Begin = %v", err)
	}
	if !slices.Equal(sink.log, []string{"Begin", "Abort"}) {
		t.Errorf("sink calls %v after a failed Begin", sink.log)
	}
	for _, c := range []struct {
		sink *memSink
		want string
	}{
		{&memSink{failOn: ShardName(2)}, "modeldir: " + ShardName(2) + ": "},
		{&memSink{failFrom: "Commit"}, "modeldir: sink refuses"},
	} {
		w, err := NewWriterTo(c.sink, testMeta(), WriterOptions{ShardSize: 2048})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ts {
			if err = w.Add(s.name, s.dt, s.shape, s.data); err != nil {
				break
			}
		}
		if err == nil {
			err = w.Close()
		} else if w.Close() == nil {
			t.Error("Close succeeded after a failed Add")
		}
		if !errors.Is(err, errSink) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("error %v, want one beginning %q and wrapping the sink's", err, c.want)
		}
		if got := c.sink.log[len(c.sink.log)-1]; got != "Abort" || c.sink.files != nil {
			t.Errorf("last sink call %s, want Abort", got)
		}
		if c.sink.failOn != "" && !slices.Contains(c.sink.log, "Discard "+c.sink.failOn) {
			t.Errorf("the failed shard was not discarded: %v", c.sink.log)
		}
	}
}

// Command corpus tokenizes the Go standard library source tree into the
// phi-nano training and held-out splits.
//
// It walks GOROOT/src in lexical order, reads every *.go file outside testdata
// and vendor directories, encodes it with the Phi-2 tokenizer and appends the
// end-of-text id 50256 after it. Files whose directory is one of the held-out
// packages go to heldout.u16, all others to train.u16. Both files hold uint16
// little-endian token ids. corpus.json records the Go version, the counts, the
// sha256 of each output and the held-out list.
//
// Usage:
//
//	go run ./tools/train/corpus -goroot "$(go env GOROOT)" -out DIR
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// heldOut are whole packages (import paths) kept out of training. Only the
// package's own directory is held out; sub-packages stay in training.
var heldOut = []string{
	"archive/tar",
	"bufio",
	"compress/flate",
	"container/heap",
	"encoding/csv",
	"go/scanner",
	"image/png",
	"math/big",
	"net/mail",
	"net/url",
	"sort",
	"strings",
	"text/tabwriter",
	"text/template",
}

const eos = 50256

// split accumulates one output file.
type split struct {
	name   string
	f      *os.File
	w      *bufio.Writer
	Files  int    `json:"files"`
	Bytes  int64  `json:"source_bytes"`
	Tokens int64  `json:"tokens"`
	SHA256 string `json:"sha256"`
}

func newSplit(dir, name string) (*split, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return &split{name: name, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (s *split) add(ids []int32, srcBytes int) error {
	var b [2]byte
	for _, id := range ids {
		if id < 0 || id > 0xffff {
			return fmt.Errorf("token id %d does not fit in uint16", id)
		}
		binary.LittleEndian.PutUint16(b[:], uint16(id))
		if _, err := s.w.Write(b[:]); err != nil {
			return err
		}
	}
	s.Files++
	s.Bytes += int64(srcBytes)
	s.Tokens += int64(len(ids))
	return nil
}

// finish flushes and closes the file, then hashes what was written.
func (s *split) finish() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if err := s.f.Close(); err != nil {
		return err
	}
	data, err := os.ReadFile(s.f.Name())
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	s.SHA256 = hex.EncodeToString(sum[:])
	return nil
}

func main() {
	goroot := flag.String("goroot", "", "Go root whose src tree is the corpus (go env GOROOT)")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *goroot == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: corpus -goroot DIR -out DIR")
		os.Exit(2)
	}
	if err := run(*goroot, *out); err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
}

func run(goroot, out string) error {
	version, err := os.ReadFile(filepath.Join(goroot, "VERSION"))
	if err != nil {
		return fmt.Errorf("reading the Go version: %w", err)
	}
	tok, err := tokenizer.New()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	train, err := newSplit(out, "train.u16")
	if err != nil {
		return err
	}
	held, err := newSplit(out, "heldout.u16")
	if err != nil {
		return err
	}
	src := filepath.Join(goroot, "src")
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != src && (name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, filepath.Dir(path))
		if err != nil {
			return err
		}
		ids := append(tok.Encode(string(text)), eos)
		if slices.Contains(heldOut, filepath.ToSlash(rel)) {
			return held.add(ids, len(text))
		}
		return train.add(ids, len(text))
	})
	if err != nil {
		return err
	}
	if err := train.finish(); err != nil {
		return err
	}
	if err := held.finish(); err != nil {
		return err
	}
	if held.Files == 0 {
		return fmt.Errorf("no held-out package found under %s", src)
	}
	meta := map[string]any{
		"go_version":       strings.SplitN(strings.TrimSpace(string(version)), "\n", 2)[0],
		"source":           "GOROOT/src, *.go files in lexical path order, testdata and vendor directories skipped",
		"eos":              eos,
		"format":           "uint16 little-endian token ids, each file followed by eos",
		"heldout_packages": heldOut,
		"train":            train,
		"heldout":          held,
	}
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("train %d files %d tokens; heldout %d files %d tokens (%.1f%%)\n",
		train.Files, train.Tokens, held.Files, held.Tokens,
		100*float64(held.Tokens)/float64(train.Tokens+held.Tokens))
	return os.WriteFile(filepath.Join(out, "corpus.json"), append(data, '\n'), 0o644)
}

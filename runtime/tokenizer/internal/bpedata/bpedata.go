// Package bpedata defines the compact file that holds the GPT-2 byte-level BPE
// vocabulary and merges.
//
// GPT-2's vocabulary is fully determined by its merges: ids 0..255 are the 256
// single-byte symbols and id 256+r is the concatenation of the two symbols
// joined by merge rank r. The file therefore stores only which byte each of the
// first 256 ids stands for and, per merge, the ids of its two parts.
//
// # Layout
//
// The file is gzip. Its content is:
//
//	magic     8 bytes  "GPT2BPE1"
//	n         uint32   little-endian number of merges
//	bytes     256      ByteOf[0..255]
//	planes    4·n      low bytes of the left ids, high bytes of the left ids,
//	                   low bytes of the right ids, high bytes of the right ids
//
// Splitting the ids into byte planes lets deflate find more repetition than
// interleaved uint16 pairs would.
package bpedata

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
)

const magic = "GPT2BPE1"

// maxMerges keeps every id, 256+n−1, inside a uint16.
const maxMerges = 1<<16 - 256

// Table is the decoded content of a data file.
type Table struct {
	// ByteOf[id] is the byte that base token id (0..255) stands for.
	ByteOf [256]byte
	// Merges[r] holds the ids of the two symbols joined by merge rank r.
	// The joined symbol has id 256+r.
	Merges [][2]uint16
}

// Marshal encodes t as a gzip-compressed data file.
func Marshal(t *Table) ([]byte, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	n := len(t.Merges)
	raw := make([]byte, 0, len(magic)+4+256+4*n)
	raw = append(raw, magic...)
	raw = binary.LittleEndian.AppendUint32(raw, uint32(n))
	raw = append(raw, t.ByteOf[:]...)
	for side := range 2 {
		for shift := 0; shift <= 8; shift += 8 {
			for _, m := range t.Merges {
				raw = append(raw, byte(m[side]>>shift))
			}
		}
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes and checks a data file written by Marshal.
func Unmarshal(data []byte) (*Table, error) {
	raw, err := gunzip(data, len(magic)+4+256+4*maxMerges)
	if err != nil {
		return nil, err
	}
	head := len(magic) + 4 + 256
	if len(raw) < head || string(raw[:len(magic)]) != magic {
		return nil, fmt.Errorf("bpedata: missing %q header", magic)
	}
	n := int(binary.LittleEndian.Uint32(raw[len(magic):]))
	if n > maxMerges || len(raw) != head+4*n {
		return nil, fmt.Errorf("bpedata: %d bytes of content do not hold %d merges", len(raw), n)
	}
	t := &Table{Merges: make([][2]uint16, n)}
	copy(t.ByteOf[:], raw[len(magic)+4:head])
	p := raw[head:]
	for r := range t.Merges {
		t.Merges[r][0] = uint16(p[r]) | uint16(p[n+r])<<8
		t.Merges[r][1] = uint16(p[2*n+r]) | uint16(p[3*n+r])<<8
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// gunzip decompresses data, which must hold at most limit bytes. The size
// recorded in the gzip trailer lets it read into one buffer of the right size;
// reading on to the end makes gzip check the CRC.
func gunzip(data []byte, limit int) ([]byte, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("bpedata: %d bytes is too short for gzip", len(data))
	}
	size := int(binary.LittleEndian.Uint32(data[len(data)-4:]))
	if size > limit {
		return nil, fmt.Errorf("bpedata: gzip trailer claims %d bytes, more than the %d a table can take", size, limit)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bpedata: %w", err)
	}
	raw := make([]byte, size)
	if _, err := io.ReadFull(zr, raw); err != nil {
		return nil, fmt.Errorf("bpedata: content: %w", err)
	}
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return nil, fmt.Errorf("bpedata: content longer than the gzip trailer says or damaged (%v)", err)
	}
	return raw, nil
}

// validate checks that ByteOf is a permutation and that every merge joins
// symbols that exist before it.
func (t *Table) validate() error {
	var seen [256]bool
	for id, b := range t.ByteOf {
		if seen[b] {
			return fmt.Errorf("bpedata: byte %#02x is given to two base ids (second: %d)", b, id)
		}
		seen[b] = true
	}
	if len(t.Merges) > maxMerges {
		return fmt.Errorf("bpedata: %d merges, at most %d fit", len(t.Merges), maxMerges)
	}
	for r, m := range t.Merges {
		if int(m[0]) >= 256+r || int(m[1]) >= 256+r {
			return fmt.Errorf("bpedata: merge %d joins ids %d and %d, not all defined before id %d", r, m[0], m[1], 256+r)
		}
	}
	return nil
}

// Tokens expands the table into the bytes of every id 0..255+len(Merges):
// the bytes of id i are blob[offsets[i]:offsets[i+1]].
func (t *Table) Tokens() (blob []byte, offsets []uint32) {
	n := 256 + len(t.Merges)
	offsets = make([]uint32, n+1)
	for i := range 256 {
		offsets[i+1] = uint32(i + 1)
	}
	for r, m := range t.Merges {
		size := offsets[m[0]+1] - offsets[m[0]] + offsets[m[1]+1] - offsets[m[1]]
		offsets[257+r] = offsets[256+r] + size
	}
	blob = make([]byte, offsets[n])
	copy(blob, t.ByteOf[:])
	for r, m := range t.Merges {
		dst := blob[offsets[256+r]:offsets[257+r]]
		k := copy(dst, blob[offsets[m[0]]:offsets[m[0]+1]])
		copy(dst[k:], blob[offsets[m[1]]:offsets[m[1]+1]])
	}
	return blob, offsets
}

package bpedata

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func smallTable() *Table {
	t := &Table{Merges: [][2]uint16{{'a', 'b'}, {256, 'c'}, {257, 257}}}
	for i := range t.ByteOf {
		t.ByteOf[i] = byte(255 - i)
	}
	return t
}

func TestRoundTrip(t *testing.T) {
	want := smallTable()
	data, err := Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ByteOf != want.ByteOf || len(got.Merges) != 3 || got.Merges[2] != want.Merges[2] {
		t.Fatalf("round trip gave %+v", got)
	}
	blob, offsets := got.Tokens()
	// id 'a' stands for byte 255-'a'; id 258 (merge 2) is abc twice.
	ab := string([]byte{255 - 'a', 255 - 'b', 255 - 'c'})
	if s := string(blob[offsets[258]:offsets[259]]); s != ab+ab {
		t.Errorf("id 258 = %q, want %q", s, ab+ab)
	}
}

func TestRejectsBadData(t *testing.T) {
	good, err := Marshal(smallTable())
	if err != nil {
		t.Fatal(err)
	}
	gz := func(raw string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(raw))
		w.Close()
		return b.Bytes()
	}
	bad := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"not gzip":  []byte("GPT2BPE1 but plain"),
		"bad magic": gz(strings.Repeat("x", 300)),
		"short":     gz("GPT2BPE1\x01\x00\x00\x00"),
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-8] ^= 1 // the CRC of the trailer
	bad["crc"] = flipped
	forward := smallTable()
	forward.Merges[0] = [2]uint16{'a', 257} // refers to a later id
	if _, err := Marshal(forward); err == nil {
		t.Error("Marshal accepted a merge of a later id")
	}
	for name, data := range bad {
		if _, err := Unmarshal(data); err == nil {
			t.Errorf("%s: Unmarshal succeeded", name)
		}
	}
	// Every single-byte change either fails cleanly or decodes; none panics.
	for i := range good {
		b := bytes.Clone(good)
		b[i] ^= 0x55
		Unmarshal(b)
	}
}

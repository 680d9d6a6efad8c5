package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// cursor reads a GGUF header front to back, keeping the byte offset for
// errors and the file size for bounds. After the first error every read
// returns zero values and the error is kept.
type cursor struct {
	r       *bufio.Reader
	off     int64
	size    int64
	err     error
	scratch [8]byte
}

func newCursor(r io.ReaderAt, size int64) *cursor {
	return &cursor{r: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10), size: size}
}

// left is the number of bytes after the cursor.
func (c *cursor) left() int64 { return c.size - c.off }

// fail records the first error, located at byte at.
func (c *cursor) fail(at int64, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("gguf: at byte %d: %s", at, fmt.Sprintf(format, args...))
	}
}

// read fills b from the file; what names the field for an error.
func (c *cursor) read(b []byte, what string) bool {
	if c.err != nil {
		return false
	}
	n, err := io.ReadFull(c.r, b)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			c.fail(c.off+int64(n), "file ends inside %s (file is %d bytes)", what, c.size)
		} else {
			c.fail(c.off+int64(n), "reading %s: %v", what, err)
		}
		return false
	}
	c.off += int64(n)
	return true
}

func (c *cursor) fixed(n int, what string) []byte {
	b := c.scratch[:n]
	if !c.read(b, what) {
		clear(b)
	}
	return b
}

func (c *cursor) u32(what string) uint32 { return binary.LittleEndian.Uint32(c.fixed(4, what)) }
func (c *cursor) u64(what string) uint64 { return binary.LittleEndian.Uint64(c.fixed(8, what)) }

// str reads a length-prefixed string, refusing lengths past the end of
// the file before allocating.
func (c *cursor) str(what string) string {
	at := c.off
	n := c.u64(what + " length")
	if c.err != nil {
		return ""
	}
	if n > uint64(c.left()) {
		c.fail(at, "%s: string length %d runs past the end of the file (%d bytes left)", what, n, c.left())
		return ""
	}
	b := make([]byte, n)
	if !c.read(b, what) {
		return ""
	}
	return string(b)
}

// fits reports whether count items of at least minSize bytes each can fit
// in the rest of the file, failing with what otherwise.
func (c *cursor) fits(at int64, count uint64, minSize int64, what string) bool {
	if c.err != nil {
		return false
	}
	if minSize > 0 && count > uint64(c.left()/minSize) {
		c.fail(at, "%s %d cannot fit in the %d bytes left in the file", what, count, c.left())
		return false
	}
	return true
}

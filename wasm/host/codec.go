package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/tetratelabs/wazero/api"
)

// Results of brotli_decode other than a byte count.
const (
	brotliCorrupt   = -1 // not a valid brotli stream
	brotliTooLong   = -2 // decodes to more than dst_cap bytes
	brotliTruncated = -3 // src ends before the stream does
)

// The codec functions run the native brotli decoder and SHA-256 on guest
// memory, where Go code compiled to wasm runs them several times slower.

// brotli_decode(src: ptr, src_len: i32, dst: ptr, dst_cap: i32) -> i32
// decodes the whole brotli stream in guest memory [src, +src_len) into
// [dst, +dst_cap) and returns the bytes written, brotliCorrupt,
// brotliTooLong or brotliTruncated; dst holds undefined bytes after an
// error. A range outside the guest memory or a negative length traps.
func (h *Host) brotliDecodeFn(_ context.Context, mod api.Module, stack []uint64) {
	src := guestRange(mod, "brotli_decode", stack[0], stack[1])
	dst := guestRange(mod, "brotli_decode", stack[2], stack[3])
	stack[0] = api.EncodeI32(brotliDecode(dst, src))
}

// sha256(src: ptr, len: i32, out: ptr) writes the 32-byte SHA-256 digest
// of guest memory [src, +len) to [out, +32).
func (h *Host) sha256Fn(_ context.Context, mod api.Module, stack []uint64) {
	sum := sha256.Sum256(guestRange(mod, "sha256", stack[0], stack[1]))
	copy(guestRange(mod, "sha256", stack[2], sha256.Size), sum[:])
}

// guestRange is the guest memory [ptr, +n) itself, not a copy; it panics,
// trapping the guest, when n is negative or the range is outside.
func guestRange(mod api.Module, fn string, ptr, n uint64) []byte {
	p, size := uint32(ptr), int32(n)
	if size < 0 {
		panic(fmt.Errorf("phi2.%s: length %d is negative", fn, size))
	}
	data, ok := mod.Memory().Read(p, uint32(size))
	if !ok {
		panic(fmt.Errorf("phi2.%s: guest range [%d, +%d) is outside its memory", fn, p, size))
	}
	return data
}

// brotliDecode decodes src into dst, which is at most math.MaxInt32 bytes
// long. The decoder is new for every stream: one reset after an error may
// still hold input of the stream before.
func brotliDecode(dst, src []byte) int32 {
	dec := brotli.NewReader(bytes.NewReader(src))
	n := 0
	for {
		p := dst[n:]
		if len(p) == 0 {
			var one [1]byte // is there more than fits?
			p = one[:]
		}
		k, err := dec.Read(p)
		if k > 0 && len(dst) == n {
			return brotliTooLong
		}
		n += k
		switch {
		case err == io.EOF:
			return int32(n)
		case err == io.ErrUnexpectedEOF:
			return brotliTruncated
		case err != nil:
			return brotliCorrupt
		}
	}
}

package guest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"
)

//go:wasmimport phi2 brotli_decode
func hostBrotliDecode(src unsafe.Pointer, srcLen int32, dst unsafe.Pointer, dstCap int32) int32

//go:wasmimport phi2 sha256
func hostSHA256(src unsafe.Pointer, n int32, out unsafe.Pointer)

// errCorrupt is the host's answer to bytes that are not a brotli stream.
var errCorrupt = errors.New("brotli: corrupt stream")

// Decompress decodes the whole brotli stream src into dst and returns the
// number of bytes written: io.ErrShortBuffer when the stream decodes to
// more than len(dst) bytes, io.ErrUnexpectedEOF when src ends before the
// stream does, another error when src is not brotli. It has the contract
// of modeldir.Codec's Decompress.
func Decompress(dst, src []byte) (int, error) {
	if len(src) > math.MaxInt32 || len(dst) > math.MaxInt32 {
		return 0, fmt.Errorf("brotli: buffers of %d and %d bytes: the host takes at most 2 GiB", len(src), len(dst))
	}
	n := hostBrotliDecode(unsafe.Pointer(unsafe.SliceData(src)), int32(len(src)),
		unsafe.Pointer(unsafe.SliceData(dst)), int32(len(dst)))
	switch {
	case n >= 0:
		return int(n), nil
	case n == -2:
		return 0, io.ErrShortBuffer
	case n == -3:
		return 0, io.ErrUnexpectedEOF
	case n == -1:
		return 0, errCorrupt
	}
	return 0, fmt.Errorf("brotli: the host's decoder returned %d", n)
}

// Sum256 returns the SHA-256 digest of p, as crypto/sha256.Sum256.
func Sum256(p []byte) [32]byte {
	if len(p) > math.MaxInt32 {
		return sha256.Sum256(p) // beyond one call's i32 length
	}
	var out [32]byte
	hostSHA256(unsafe.Pointer(unsafe.SliceData(p)), int32(len(p)), unsafe.Pointer(&out[0]))
	return out
}

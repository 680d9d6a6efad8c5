//go:build js && wasm

package webcodec

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/hack-pad/safejs"
	"github.com/phi2web/phi2web/browser/jsvalue"
	"github.com/phi2web/phi2web/runtime/modeldir"
)

// Codec returns a modeldir.Codec with the browser's SHA-256 and, where the
// browser decodes brotli (NativeBrotli), its decoder; else Go's. Where
// crypto.subtle is missing (a page that is not a secure context) it
// returns nil: the Go code's own path is then as fast.
func Codec() *modeldir.Codec {
	if !NativeSHA256() {
		return nil
	}
	c := &modeldir.Codec{Decompress: modeldir.Decompress, Sum256: Sum256}
	if NativeBrotli() {
		c.Decompress = Decompress
	}
	return c
}

// NativeSHA256 reports whether crypto.subtle.digest is at hand.
func NativeSHA256() bool {
	subtle := jsvalue.Get(jsvalue.Get(safejs.Global(), "crypto"), "subtle")
	return subtle.Type() == safejs.TypeObject
}

// NativeBrotli reports whether DecompressionStream takes "brotli".
func NativeBrotli() bool {
	c := jsvalue.Get(safejs.Global(), "DecompressionStream")
	if c.Type() != safejs.TypeFunction {
		return false
	}
	_, err := c.New("brotli")
	return err == nil
}

// Sum256 hashes p with crypto.subtle.digest, falling back to Go's SHA-256
// when the browser fails. p is copied into a scratch array kept for the
// next call: the digest copies its input at once, and a new array of a
// shard's size per call would linger as garbage on a thread that rarely
// collects.
func Sum256(p []byte) [32]byte {
	u8, err := scratchJS(p)
	if err == nil {
		var sum [32]byte
		if sum, err = SumJS(u8); err == nil {
			return sum
		}
	}
	return sha256.Sum256(p)
}

// SumJS hashes the bytes of a Uint8Array natively.
func SumJS(u8 safejs.Value) ([32]byte, error) {
	p, err := Digest(u8)
	if err != nil {
		return [32]byte{}, err
	}
	return AwaitDigest(p)
}

// Digest starts hashing a Uint8Array (the browser copies its bytes at
// once, so the array may change afterwards) and returns the promise of the
// digest, for AwaitDigest.
func Digest(u8 safejs.Value) (safejs.Value, error) {
	subtle := jsvalue.Get(jsvalue.Get(safejs.Global(), "crypto"), "subtle")
	if subtle.Type() != safejs.TypeObject {
		return safejs.Undefined(), errors.New("crypto.subtle is not available (not a secure context)")
	}
	return subtle.Call("digest", "SHA-256", u8)
}

// AwaitDigest waits for a promise of Digest.
func AwaitDigest(p safejs.Value) ([32]byte, error) {
	var sum [32]byte
	buf, err := jsvalue.Await(context.Background(), p, jsError)
	if err != nil {
		return sum, fmt.Errorf("crypto.subtle.digest: %w", err)
	}
	u8, err := newUint8Array(buf)
	if err == nil {
		var n int
		n, err = safejs.CopyBytesToGo(sum[:], u8)
		if err == nil && n != len(sum) {
			err = fmt.Errorf("crypto.subtle.digest gave %d bytes", n)
		}
	}
	return sum, err
}

// Decompress decodes the brotli stream src into dst with the browser's
// DecompressionStream, as modeldir.Codec's Decompress: io.ErrShortBuffer
// when it decodes to more than len(dst) bytes. The browser does not tell
// a stream that ends early from other bad data; both are errors.
func Decompress(dst, src []byte) (int, error) {
	u8, err := toJS(src)
	if err != nil {
		return 0, err
	}
	blob, err := newObject("Blob", []any{u8})
	if err != nil {
		return 0, err
	}
	ds, err := newObject("DecompressionStream", "brotli")
	if err != nil {
		return 0, err
	}
	stream, err := blob.Call("stream")
	if err == nil {
		stream, err = stream.Call("pipeThrough", ds)
	}
	if err != nil {
		return 0, err
	}
	resp, err := newObject("Response", stream)
	if err != nil {
		return 0, err
	}
	p, err := resp.Call("arrayBuffer")
	if err != nil {
		return 0, err
	}
	buf, err := jsvalue.Await(context.Background(), p, jsError)
	if err != nil {
		return 0, fmt.Errorf("DecompressionStream: %w", err)
	}
	out, err := newUint8Array(buf)
	if err != nil {
		return 0, err
	}
	n := int(jsvalue.Num(jsvalue.Get(out, "length")))
	if n > len(dst) {
		return 0, io.ErrShortBuffer
	}
	return safejs.CopyBytesToGo(dst, out)
}

// scratch backs scratchJS; JavaScript runs on one thread, and no call
// waits between filling it and handing it over.
var scratch safejs.Value

// scratchJS copies p into the scratch array, grown as needed, and returns
// the view of its first len(p) bytes, valid until the next call.
func scratchJS(p []byte) (safejs.Value, error) {
	if n, err := scratch.Length(); err != nil || n < len(p) {
		u8, err := newObject("Uint8Array", len(p))
		if err != nil {
			return u8, err
		}
		scratch = u8
	}
	view, err := scratch.Call("subarray", 0, len(p))
	if err == nil {
		_, err = safejs.CopyBytesToJS(view, p)
	}
	return view, err
}

func toJS(p []byte) (safejs.Value, error) {
	u8, err := newObject("Uint8Array", len(p))
	if err == nil {
		_, err = safejs.CopyBytesToJS(u8, p)
	}
	return u8, err
}

func newUint8Array(buf safejs.Value) (safejs.Value, error) {
	return newObject("Uint8Array", buf)
}

func newObject(class string, args ...any) (safejs.Value, error) {
	c := jsvalue.Get(safejs.Global(), class)
	if c.Type() != safejs.TypeFunction {
		return c, fmt.Errorf("%s is not available here", class)
	}
	return c.New(args...)
}

func jsError(v safejs.Value) error {
	if m := jsvalue.Str(jsvalue.Get(v, "message")); m != "" {
		return errors.New(jsvalue.Str(jsvalue.Get(v, "name")) + ": " + m)
	}
	return errors.New(jsvalue.Str(v))
}

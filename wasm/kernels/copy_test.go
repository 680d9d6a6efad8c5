package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// TestCopy: byte counts that are not multiples of 4 or 16, overlapping
// ranges forwards and backwards (memmove).
func TestCopy(t *testing.T) {
	d := newDevice(t, 1<<20, 1)
	for _, c := range []struct{ from, to, n int }{{0, 100, 37}, {0, 5, 64}, {20, 3, 50}, {7, 7, 9}, {0, 40, 0}} {
		d.reset()
		base := d.alloc(256)
		src := make([]byte, 256)
		for i := range src {
			src[i] = byte(i * 7)
		}
		d.mem.Write(base, src)
		want := append([]byte(nil), src...)
		copy(want[c.to:c.to+c.n], want[c.from:c.from+c.n])
		d.call(0, Copy, base+uint32(c.to), base+uint32(c.from), uint32(c.n))
		got, _ := d.mem.Read(base, 256)
		if string(got) != string(want) {
			t.Errorf("copy %d bytes from %d to %d: got %v, want %v", c.n, c.from, c.to, got[:64], want[:64])
		}
	}
}

// TestCopyF16: copy_f16 gives tensor.F32ToF16's bits for the special
// cases (zeros, subnormal inputs and results, ties at every exponent, the
// overflow edge, Inf, NaN with either sign) and for millions of random bit
// patterns and values near the f16 range, with counts that are not
// multiples of 8, writing nothing past 2·count bytes, and setting the flag
// exactly when a result is Inf or NaN.
func TestCopyF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	d := newDevice(t, 16<<20, 1)
	var special []uint32
	for _, b := range []uint32{
		0, 1, 0x007fffff, 0x00800000, // zero, f32 subnormals, least f32 normal
		0x33000000, 0x33000001, 0x337fffff, 0x33800000, 0x33c00000, // around 2^-25, the least f16 subnormal's half
		0x387fc000, 0x387fe000, 0x387fefff, 0x387ff000, 0x387fffff, 0x38800000, // the subnormal/normal edge
		0x3f800000, 0x3f801000, 0x3f802000, 0x3f803000, 0x3f800fff, 0x3f801001, // ties to even at 1
		0x477fe000, 0x477fefff, 0x477ff000, 0x477fffff, 0x47800000, 0x7f7fffff, // the overflow edge
		0x7f800000, 0x7f800001, 0x7fc00000, 0x7fffffff, // Inf, NaNs
	} {
		special = append(special, b, b|0x80000000)
	}
	for e := uint32(0x33); e <= 0x47; e++ { // ties and near-ties at every f16 exponent
		for _, m := range []uint32{0x1000, 0x3000, 0x0fff, 0x1001, 0x2000, 0x7ff000, 0x7fe000} {
			special = append(special, e<<23|m, e<<23|m|0x80000000, e<<23|m|0x400000)
		}
	}
	check := func(name string, in []uint32) {
		t.Helper()
		d.reset()
		n := len(in)
		src := d.alloc(4 * n)
		buf := make([]byte, 4*n)
		for i, b := range in {
			binary.LittleEndian.PutUint32(buf[4*i:], b)
		}
		d.mem.Write(src, buf)
		dst, flag := d.alloc(2*n+16), d.alloc(4)
		d.mem.WriteUint32Le(flag, 0)
		d.call(0, CopyF16, dst, src, uint32(n), flag)
		out, _ := d.mem.Read(dst, uint32(2*n+16))
		bad, specials := 0, false
		for i, b := range in {
			got := binary.LittleEndian.Uint16(out[2*i:])
			want := tensor.F32ToF16(math.Float32frombits(b))
			specials = specials || want&0x7c00 == 0x7c00
			if got != want && bad < 10 {
				t.Errorf("%s: copy_f16 of %#08x (%g) = %#04x, want %#04x", name, b, math.Float32frombits(b), got, want)
				bad++
			}
		}
		for i := 2 * n; i < len(out); i++ {
			if out[i] != 0xff {
				t.Fatalf("%s: copy_f16 of %d values wrote byte %d", name, n, i)
			}
		}
		if f, _ := d.mem.ReadUint32Le(flag); f != map[bool]uint32{false: 0, true: 1}[specials] {
			t.Errorf("%s: flag %d after %d values, Inf or NaN among the results: %v", name, f, n, specials)
		}
	}
	check("special", special)
	for _, n := range []int{0, 1, 3, 7, 8, 9, 17} {
		check("short", special[:n])
	}
	for _, at := range []int{0, 5, 8, 13} { // one Inf among finite values, in the eights or the ones
		in := make([]uint32, 14)
		for i := range in {
			in[i] = math.Float32bits(float32(i) - 6.5)
		}
		check("finite", in)
		in[at] = math.Float32bits(70000)
		check(fmt.Sprintf("Inf at %d", at), in)
	}
	for round := range 4 {
		in := make([]uint32, 1<<20-round)
		for i := range in {
			switch i % 4 {
			case 0: // any bit pattern
				in[i] = rng.Uint32()
			case 1: // f16 normals and overflow
				in[i] = math.Float32bits(float32((rng.Float64()*2 - 1) * 70000))
			case 2: // f16 subnormals and underflow
				in[i] = math.Float32bits(float32((rng.Float64()*2 - 1) * 7e-5))
			default: // exponents across the f16 range, random low bits
				in[i] = uint32(0x30+rng.IntN(0x19))<<23 | rng.Uint32()&0x807fffff
			}
		}
		check("random", in)
	}
}

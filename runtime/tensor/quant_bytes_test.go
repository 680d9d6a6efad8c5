package tensor

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// Expected encodings below are worked out by hand from docs/format.md.

// One Q8 block with d = f16(15.875/127) = 0.125 (0x3000): quotients 2.5
// and −2.5 round away from zero, 0.4 and 0.56 to the nearest.
func TestQuantizeQ8Block(t *testing.T) {
	w := make([]float32, 32)
	copy(w, []float32{15.875, -15.875, 0.3125, -0.3125, 0.0625, -0.0625, 0.1875, 0, 1, -1, 0.05, 0.07})
	w[16], w[31] = -3, 12.5
	quants := make([]byte, 128) // slot 0, then three padding rows
	copy(quants, []byte{0x7f, 0x81, 0x03, 0xfd, 0x01, 0xff, 0x02, 0x00, 0x08, 0xf8, 0x00, 0x01})
	quants[16], quants[31] = 0xe8, 0x64
	want := append(quants, 0x00, 0x30, 0, 0, 0, 0, 0, 0)
	if got := Quantize(Q8, w, 1, 32); !bytes.Equal(got, want) {
		t.Errorf("Q8 1×32:\n got % x\nwant % x", got, want)
	}
}

// One Q4 block: −4 and 4 tie for the largest |w|, the first wins, so
// d = f16(−4/−8) = 0.5 (0x3800); 4 clamps to nibble 15; quotients ±0.5
// round up (nibbles 9 and 8). Byte j holds element j low, j+16 high.
func TestQuantizeQ4Block(t *testing.T) {
	w := make([]float32, 32)
	copy(w, []float32{0.25, -0.25, 1, -4})
	w[10], w[16], w[17], w[20], w[31] = 4, -1.75, 3.25, 3, -0.2
	quants := bytes.Repeat([]byte{0x88}, 64)
	copy(quants, []byte{0x59, 0xf8, 0x8a, 0x80, 0xe8})
	quants[10] = 0x8f
	want := append(quants, 0x00, 0x38, 0, 0, 0, 0, 0, 0)
	if got := Quantize(Q4, w, 1, 32); !bytes.Equal(got, want) {
		t.Errorf("Q4 1×32:\n got % x\nwant % x", got, want)
	}
}

// A 5×40 matrix: two row groups (the second with three padding rows) of
// two blocks (the second with 24 padding columns). Row r, block b is the
// constant (−1)^r·c·2^−(2r+b), so each slot is known by its scale.
func TestQuantizeInterleave(t *testing.T) {
	for _, c := range []struct {
		dt     DType
		top    float32
		scales [16]uint16 // in slot order: ((r/4)·2 + b)·4 + r%4
		// quants of a full block and of a 8-of-32 block, for even and odd rows
		full, part [2][]byte
		pad        []byte
	}{
		{Q8, 127,
			[16]uint16{0x3c00, 0x3400, 0x2c00, 0x2400, 0x3800, 0x3000, 0x2800, 0x2000, 0x1c00, 0, 0, 0, 0x1800, 0, 0, 0},
			[2][]byte{bytes.Repeat([]byte{0x7f}, 32), bytes.Repeat([]byte{0x81}, 32)},
			[2][]byte{append(bytes.Repeat([]byte{0x7f}, 8), make([]byte, 24)...), append(bytes.Repeat([]byte{0x81}, 8), make([]byte, 24)...)},
			make([]byte, 32)},
		{Q4, 8, // d = −m/8: negative on even rows; every value is nibble 0
			[16]uint16{0xbc00, 0x3400, 0xac00, 0x2400, 0xb800, 0x3000, 0xa800, 0x2000, 0x9c00, 0, 0, 0, 0x9800, 0, 0, 0},
			[2][]byte{make([]byte, 16), make([]byte, 16)},
			[2][]byte{append(bytes.Repeat([]byte{0x80}, 8), bytes.Repeat([]byte{0x88}, 8)...), append(bytes.Repeat([]byte{0x80}, 8), bytes.Repeat([]byte{0x88}, 8)...)},
			bytes.Repeat([]byte{0x88}, 16)},
	} {
		w := make([]float32, 5*40)
		for r := range 5 {
			v := c.top / float32(int(1)<<(2*r))
			if r%2 == 1 {
				v = -v
			}
			for col := range 40 {
				w[r*40+col] = v
				if col >= 32 {
					w[r*40+col] = v / 2
				}
			}
		}
		var want []byte
		slotRows := []int{0, 1, 2, 3, 0, 1, 2, 3, 4, -1, -1, -1, 4, -1, -1, -1} // -1: padding
		for s, r := range slotRows {
			switch {
			case r < 0:
				want = append(want, c.pad...)
			case s%8 < 4:
				want = append(want, c.full[r%2]...)
			default:
				want = append(want, c.part[r%2]...)
			}
		}
		for _, d := range c.scales {
			want = binary.LittleEndian.AppendUint16(want, d)
		}
		if got := Quantize(c.dt, w, 5, 40); !bytes.Equal(got, want) {
			t.Errorf("%s 5×40:\n got % x\nwant % x", c.dt, got, want)
		}
	}
}

// The layout read back independently: storage enumerated group by group,
// block by block, row by row within the group, and Q4 nibbles decoded as
// element j = low nibble of byte j, element j+16 = its high nibble.
func TestQuantLayoutOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const rows, cols = 6, 45
	for _, dt := range []DType{Q8, Q4} {
		l := Layout(dt, rows, cols)
		data := make([]byte, ByteSize(dt, rows, cols))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := make([]float32, rows*cols)
		qb := map[DType]int{Q8: 32, Q4: 16}[dt]
		s, scales := 0, int(l.ScalesAt)
		for g := range 2 {
			for b := range 2 {
				for i := range 4 {
					r := 4*g + i
					quants := data[s*qb : (s+1)*qb]
					if l.QuantsAt(r, b) != int64(s*qb) || l.ScaleAt(r, b) != int64(scales+2*s) {
						t.Fatalf("%s row %d block %d: offsets %d, %d, want %d, %d", dt, r, b, l.QuantsAt(r, b), l.ScaleAt(r, b), s*qb, scales+2*s)
					}
					// A valid f16 below 2 (no NaN or Inf), sign included.
					h := binary.LittleEndian.Uint16(data[scales+2*s:])&0xbfff | 0x0400
					binary.LittleEndian.PutUint16(data[scales+2*s:], h)
					d := f16Value(h)
					for j := range 32 {
						c := 32*b + j
						if r >= rows || c >= cols {
							continue
						}
						var q int
						switch {
						case dt == Q8:
							q = int(int8(quants[j]))
						case j < 16:
							q = int(quants[j]%16) - 8
						default:
							q = int(quants[j-16]/16) - 8
						}
						want[r*cols+c] = float32(float64(q) * d)
					}
					s++
				}
			}
		}
		got := make([]float32, rows*cols)
		Dequantize(got, data, dt, rows, cols)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: element (%d, %d) = %g, want %g", dt, i/cols, i%cols, got[i], want[i])
			}
		}
	}
}

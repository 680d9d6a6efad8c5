//go:build (js && wasm) || (cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// kvImage is a KVQ8 cache as the host sees it: values and scales in the
// layout of runtime/tensor/kvq8.go.
type kvImage struct {
	positions, heads, headDim int
	values                    []int8
	scales                    []float32
}

func newKVImage(positions, heads, headDim int) *kvImage {
	return &kvImage{positions, heads, headDim,
		make([]int8, positions*heads*headDim), make([]float32, positions*heads)}
}

// head is the slot (h·P + p) of head h at position p.
func (m *kvImage) slot(h, p int) int { return h*m.positions + p }

// quantizeRow stores row x (heads side by side) at position p with
// tensor.QuantizeKVQ8.
func (m *kvImage) quantizeRow(p int, x []float32) {
	for h := range m.heads {
		s := m.slot(h, p)
		m.scales[s] = tensor.QuantizeKVQ8(m.values[s*m.headDim:(s+1)*m.headDim], x[h*m.headDim:(h+1)*m.headDim])
	}
}

// readKV reads a KVQ8 cache of b back.
func readKV(t *testing.T, b *Backend, c backend.Tensor, heads, headDim int) *kvImage {
	t.Helper()
	m := newKVImage(c.Rows(), heads, headDim)
	raw, err := b.readBack(b.get("read", c).buf(), 0, len(m.values)+4*len(m.scales))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.values {
		m.values[i] = int8(raw[i])
	}
	for i := range m.scales {
		m.scales[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[len(m.values)+4*i:]))
	}
	return m
}

func upload(t testing.TB, be backend.Backend, label string, rows, cols int, x []float32) backend.Tensor {
	t.Helper()
	data := make([]byte, 0, 4*len(x))
	for _, v := range x {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	}
	u, err := be.Upload(label, tensor.F32, rows, cols, data)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// kvRows are source rows for the quantizing copy: normal values over
// several magnitudes, a head of zeros, a head of tiny values (below the
// exact path's 2⁻¹⁰⁰) and heads whose quotients x/d lie on halves and one
// ulp either side of them, where a division off by an ulp rounds the other
// way.
func kvRows(rng *rand.Rand, rows, heads, headDim int) []float32 {
	x := make([]float32, rows*heads*headDim)
	for r := range rows {
		for h := range heads {
			v := x[(r*heads+h)*headDim : (r*heads+h+1)*headDim]
			switch (r + h) % 5 {
			case 0, 1:
				mag := float32(math.Pow(10, float64(rng.IntN(7)-3)))
				for i := range v {
					v[i] = mag * float32(rng.NormFloat64())
				}
			case 2: // zeros
			case 3:
				for i := range v {
					v[i] = 1e-31 * float32(rng.NormFloat64())
				}
			case 4:
				amax := float32(1 + rng.Float64())
				d := amax / 127
				v[0] = -amax
				for i := 1; i < len(v); i++ {
					half := (float32(rng.IntN(127)) + 0.5) * d
					switch i % 3 {
					case 1:
						half = math.Nextafter32(half, 0)
					case 2:
						half = math.Nextafter32(half, 200)
					}
					v[i] = half * float32(1-2*rng.IntN(2))
				}
			}
		}
	}
	return x
}

// TestCopyKVQ8 quantizes rows into a KVQ8 cache (from a view, to a later
// position) and reads the cache back: bit for bit what tensor.QuantizeKVQ8
// gives, positions outside the copy untouched (zero), for heads whose
// amax ≥ 2⁻¹⁰⁰; below that the kernel divides in f32, and a value may
// differ by one and its scale by 3 ulp.
func TestCopyKVQ8(t *testing.T) {
	b := newOrFail(t, Options{SkipSelfTest: true})
	defer b.Close()
	rng := rand.New(rand.NewPCG(3, 8))
	for _, headDim := range []int{4, 32, 80} {
		heads, positions, rows, srcRow, dstRow := 5, 23, 9, 2, 11
		x := kvRows(rng, srcRow+rows, heads, headDim)
		src := upload(t, b, "src", srcRow+rows, heads*headDim, x)
		c, err := b.AllocKV("k", tensor.KVQ8, positions, heads, headDim)
		if err != nil {
			t.Fatal(err)
		}
		b.Copy(c, dstRow, b.View(src, 1, srcRow+rows-1), srcRow-1, rows)
		got := readKV(t, b, c, heads, headDim)
		want := newKVImage(positions, heads, headDim)
		for r := range rows {
			want.quantizeRow(dstRow+r, x[(srcRow+r)*heads*headDim:])
		}
		var exact int
		for p := range positions {
			for h := range heads {
				s := want.slot(h, p)
				tiny := want.scales[s] > 0 && want.scales[s] < 0x1p-100/127
				if !tiny {
					exact++
				}
				gs, ws := got.scales[s], want.scales[s]
				if tiny && math.Abs(float64(gs-ws)) > 3*float64(ws)*0x1p-23 || !tiny && math.Float32bits(gs) != math.Float32bits(ws) {
					t.Errorf("head dim %d, position %d, head %d: scale %g, want %g", headDim, p, h, gs, ws)
				}
				for i := range headDim {
					g, w := got.values[s*headDim+i], want.values[s*headDim+i]
					if g != w && (!tiny || math.Abs(float64(g)-float64(w)) > 1) {
						t.Errorf("head dim %d, position %d, head %d: value %d = %d, want %d", headDim, p, h, i, g, w)
					}
				}
			}
		}
		if exact < positions*heads/2 {
			t.Fatalf("only %d of %d heads checked exactly", exact, positions*heads)
		}
		b.Free(c)
	}
}

// TestAllocKV: F32 and F16 caches are plain matrices; a KVQ8 cache whose
// heads the kernels cannot take is refused with a reason, and a KVQ8 cache
// has no views.
func TestAllocKV(t *testing.T) {
	b := newOrFail(t, Options{SkipSelfTest: true})
	defer b.Close()
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16} {
		c, err := b.AllocKV("c", dt, 6, 2, 8)
		if err != nil || c.DType() != dt || c.Rows() != 6 || c.Cols() != 16 {
			t.Fatalf("AllocKV %v: %v, %v", dt, c, err)
		}
		b.View(c, 1, 2) // a plain matrix has views
	}
	for _, headDim := range []int{6, 0, 4 * attentionWG * 2} {
		if _, err := b.AllocKV("c", tensor.KVQ8, 6, 2, headDim); err == nil || !strings.Contains(err.Error(), "multiple of 4") {
			t.Errorf("AllocKV KVQ8 of head dim %d: %v, want an error naming the head dims allowed", headDim, err)
		}
	}
	c, err := b.AllocKV("c", tensor.KVQ8, 6, 2, 8)
	if err != nil || c.Rows() != 6 || c.Cols() != 16 {
		t.Fatalf("AllocKV KVQ8: %v", err)
	}
	for name, f := range map[string]func(){
		"View": func() { b.View(c, 0, 1) },
	} {
		if msg := panicOf(f); msg == "" {
			t.Errorf("%s on a KVQ8 cache did not panic", name)
		} else {
			t.Logf("%s: %s", name, msg)
		}
	}
}

func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

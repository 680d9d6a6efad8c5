//go:build (js && wasm) || (cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
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

// dequantized is the cache as an F32 [positions, heads·headDim] matrix.
func (m *kvImage) dequantized() []float32 {
	out := make([]float32, m.positions*m.heads*m.headDim)
	row := m.heads * m.headDim
	for p := range m.positions {
		for h := range m.heads {
			s := m.slot(h, p)
			tensor.DequantizeKVQ8(out[p*row+h*m.headDim:p*row+(h+1)*m.headDim], m.values[s*m.headDim:(s+1)*m.headDim], m.scales[s])
		}
	}
	return out
}

func (m *kvImage) bytes() []byte {
	out := make([]byte, len(m.values), len(m.values)+4*len(m.scales))
	for i, v := range m.values {
		out[i] = byte(v)
	}
	for _, d := range m.scales {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(d))
	}
	return out
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

// writeKV makes a KVQ8 cache of b holding m.
func writeKV(t *testing.T, b *Backend, label string, m *kvImage) backend.Tensor {
	t.Helper()
	c, err := b.AllocKV(label, tensor.KVQ8, m.positions, m.heads, m.headDim)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.sync(); err != nil { // a reused buffer's clear goes first
		t.Fatal(err)
	}
	if err := b.d.writeBuffer(b.get("write", c).buf().gpu, m.bytes()); err != nil {
		t.Fatal(err)
	}
	return c
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

// TestCopyKVQ8ManyRows: a copy of more rows than a dispatch may have
// workgroups in one dimension quantizes every row.
func TestCopyKVQ8ManyRows(t *testing.T) {
	b := newOrFail(t, Options{SkipSelfTest: true})
	defer b.Close()
	const heads, headDim, rows, positions = 2, 4, maxGroups + 10, maxGroups + 13
	rng := rand.New(rand.NewPCG(4, 4))
	x := make([]float32, (rows+1)*heads*headDim)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	c := must(b.AllocKV("k", tensor.KVQ8, positions, heads, headDim))
	b.Copy(c, 3, upload(t, b, "src", rows+1, heads*headDim, x), 1, rows)
	got := readKV(t, b, c, heads, headDim)
	want := newKVImage(positions, heads, headDim)
	for r := range rows {
		want.quantizeRow(3+r, x[(1+r)*heads*headDim:])
	}
	for s := range want.scales {
		if got.scales[s] != want.scales[s] || !slices.Equal(got.values[s*headDim:(s+1)*headDim], want.values[s*headDim:(s+1)*headDim]) {
			t.Fatalf("slot %d: scale %g, values %v; want %g, %v", s, got.scales[s], got.values[s*headDim:(s+1)*headDim], want.scales[s], want.values[s*headDim:(s+1)*headDim])
		}
	}
}

// attnCase is one Attention call over KVQ8 caches.
type attnCase struct {
	heads, headDim, rows, pos0 int
	opts                       Options
	viaCopy                    bool // the caches filled by Copy, not written as bytes
}

// TestAttentionKVQ8 compares Attention over KVQ8 caches with the pure-Go
// F32 Attention over caches holding their dequantized values. The kernel
// orders the roundings differently ((Σ q·k)·(d·scale) for scale·Σ q·(d·k),
// Σ (e·d)·v for Σ e·(d·v)); with scores of order 1 that moves a value by
// less than 1e-5 of the largest |v| of its head, the tolerance here.
// Covered: head dims 32 and 80, several heads and query rows, pos0 > 0,
// prompts past 256 and 1024 keys (a chunk), decode steps split over the
// keys and not, and caches filled by the quantizing Copy.
func TestAttentionKVQ8(t *testing.T) {
	cases := []attnCase{
		{heads: 3, headDim: 32, rows: 4, pos0: 5},
		{heads: 2, headDim: 80, rows: 3, pos0: 300},
		{heads: 2, headDim: 80, rows: 2, pos0: 1100},
		{heads: 3, headDim: 32, rows: 1, pos0: 700},
		{heads: 2, headDim: 80, rows: 1, pos0: 400},
		{heads: 2, headDim: 80, rows: 1, pos0: 40, opts: Options{attnSplitMin: 1}},
		{heads: 2, headDim: 80, rows: 3, pos0: 290, viaCopy: true},
	}
	backends := map[bool]*Backend{}
	for _, split := range []bool{false, true} {
		backends[split] = newOrFail(t, Options{SkipSelfTest: true, attnSplitMin: map[bool]int{true: 1}[split]})
		defer backends[split].Close()
	}
	rng := rand.New(rand.NewPCG(5, 1))
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d×%d,rows=%d,pos0=%d,forcedSplit=%v,viaCopy=%v", tc.heads, tc.headDim, tc.rows, tc.pos0, tc.opts.attnSplitMin > 0, tc.viaCopy), func(t *testing.T) {
			checkAttentionKVQ8(t, backends[tc.opts.attnSplitMin > 0], rng, tc)
		})
	}
}

func checkAttentionKVQ8(t *testing.T, b *Backend, rng *rand.Rand, tc attnCase) {
	cols, positions := tc.heads*tc.headDim, tc.pos0+tc.rows+7
	scale := float32(1 / math.Sqrt(float64(tc.headDim)))
	caches := [2]*kvImage{newKVImage(positions, tc.heads, tc.headDim), newKVImage(positions, tc.heads, tc.headDim)}
	var rows [2][]float32
	for c, m := range caches {
		rows[c] = make([]float32, positions*cols)
		for p := range positions {
			row := rows[c][p*cols : (p+1)*cols]
			for i := range row {
				row[i] = float32(rng.NormFloat64())
			}
			m.quantizeRow(p, row)
		}
	}
	q := make([]float32, tc.rows*cols)
	for i := range q {
		q[i] = float32(rng.NormFloat64())
	}

	var k, v backend.Tensor
	if tc.viaCopy {
		k, v = must(b.AllocKV("k", tensor.KVQ8, positions, tc.heads, tc.headDim)), must(b.AllocKV("v", tensor.KVQ8, positions, tc.heads, tc.headDim))
		b.Copy(k, 0, upload(t, b, "k rows", positions, cols, rows[0]), 0, positions)
		b.Copy(v, 0, upload(t, b, "v rows", positions, cols, rows[1]), 0, positions)
	} else {
		k, v = writeKV(t, b, "k", caches[0]), writeKV(t, b, "v", caches[1])
	}
	qt := upload(t, b, "q", tc.rows, cols, q)
	dst, err := b.Alloc("out", tensor.F32, tc.rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	b.Attention(dst, qt, k, v, tc.pos0, tc.headDim, scale)
	got := make([]float32, tc.rows*cols)
	if err := b.Read(dst, got); err != nil {
		t.Fatal(err)
	}
	for _, x := range []backend.Tensor{k, v, qt, dst} {
		b.Free(x)
	}

	ref := cpu.New()
	defer ref.Close()
	vf := caches[1].dequantized()
	rd := must(ref.Alloc("out", tensor.F32, tc.rows, cols))
	ref.Attention(rd, upload(t, ref, "q", tc.rows, cols, q), upload(t, ref, "k", positions, cols, caches[0].dequantized()),
		upload(t, ref, "v", positions, cols, vf), tc.pos0, tc.headDim, scale)
	want := make([]float32, tc.rows*cols)
	if err := ref.Read(rd, want); err != nil {
		t.Fatal(err)
	}
	vmax := make([]float64, tc.heads)
	for i, x := range vf {
		h := i % cols / tc.headDim
		vmax[h] = max(vmax[h], math.Abs(float64(x)))
	}
	var worst float64
	for i := range got {
		h := i % cols / tc.headDim
		e := math.Abs(float64(got[i]-want[i])) / vmax[h]
		worst = max(worst, e)
		if !(e <= 1e-5) {
			t.Fatalf("row %d, column %d: %v, the F32 attention over the dequantized caches gives %v", i/cols, i%cols, got[i], want[i])
		}
	}
	t.Logf("largest difference: %.2g of max |v|", worst)
}

func must(t backend.Tensor, err error) backend.Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

// TestAllocKV: F32 and F16 caches are plain matrices; a KVQ8 cache whose
// heads the kernels cannot take is refused with a reason, and a KVQ8 cache
// has no views and cannot serve an attention of another head dim.
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
	q := must(b.Alloc("q", tensor.F32, 1, 16))
	for name, f := range map[string]func(){
		"View":                 func() { b.View(c, 0, 1) },
		"Attention head dim 4": func() { b.Attention(q, q, c, c, 0, 4, 1) },
		"Attention F32 and KVQ8": func() {
			b.Attention(q, q, must(b.AllocKV("f", tensor.F32, 6, 2, 8)), c, 0, 8, 1)
		},
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

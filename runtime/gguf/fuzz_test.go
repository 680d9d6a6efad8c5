package gguf

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// FuzzParse checks that Parse never panics or hangs, allocates no more
// than a small multiple of the file size, and that whatever it accepts is
// consistent; accepted files also go through Open and Each.
func FuzzParse(f *testing.F) {
	l := small()
	l.cfg.NumLayers, l.cfg.VocabSize = 1, 32
	l.tensors = nil
	for _, s := range l.cfg.Expected() {
		n := tensor.NumElements(s.Shape)
		l.tensors = append(l.tensors, weights.NamedTensor{Name: s.Name, DType: tensor.F32, Shape: s.Shape,
			Data: f32Bytes(make([]float32, n))})
	}
	// Files the writer makes are seeded here, so they follow it; the other
	// seeds, hostile inputs among them, are in testdata/fuzz/FuzzParse.
	q4 := writePhi2(f, l, "Q4_0")
	f.Add(q4)
	f.Add(rewrite(f, q4, fuseQKV))

	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g, err := Parse(fileOf(data))
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 64*uint64(len(data))+1<<20 {
			t.Fatalf("Parse of %d bytes allocated %d", len(data), n)
		}
		if err != nil {
			checkErr(t, err)
			if g != nil {
				t.Fatal("File returned with an error")
			}
			return
		}
		checkLayout(t, g, int64(len(data)))
		m, err := Open(fileOf(data))
		if err != nil {
			checkErr(t, err)
			return
		}
		err = m.Each(func(name string, dt tensor.DType, shape []int, b []byte) error {
			rows, cols := shape[0], 1
			if len(shape) == 2 {
				cols = shape[1]
			}
			if dt.Quantized() && int64(len(b)) != tensor.ByteSize(dt, rows, cols) ||
				!dt.Quantized() && int64(len(b)) != int64(rows*cols*dt.Size()) {
				t.Fatalf("%s: %d bytes for %v %v", name, len(b), dt, shape)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func checkErr(t *testing.T, err error) {
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "gguf: ") {
		t.Fatalf("error %q: want one line starting gguf:", msg)
	}
}

// checkLayout checks that every tensor is aligned, sized by its type and
// dims, inside the file, and apart from the others.
func checkLayout(t *testing.T, g *File, size int64) {
	if g.Alignment <= 0 || g.Alignment&(g.Alignment-1) != 0 || g.DataStart%g.Alignment != 0 {
		t.Fatalf("alignment %d, data at %d", g.Alignment, g.DataStart)
	}
	ts := slices.Clone(g.Tensors)
	slices.SortFunc(ts, func(a, b TensorInfo) int { return cmp.Compare(a.Offset, b.Offset) })
	end := g.DataStart
	for _, ti := range ts {
		n := int64(1)
		for _, d := range ti.Dims {
			n *= d
		}
		want, ok := ti.Type.byteSize(n, ti.Dims[0])
		switch {
		case !ok || want != ti.Size:
			t.Fatalf("%s: size %d for %v %v", ti.Name, ti.Size, ti.Type, ti.Dims)
		case (ti.Offset-g.DataStart)%g.Alignment != 0:
			t.Fatalf("%s: offset %d not aligned", ti.Name, ti.Offset)
		case ti.Offset+ti.Size > size:
			t.Fatalf("%s: ends at %d, past %d", ti.Name, ti.Offset+ti.Size, size)
		case ti.Size > 0 && ti.Offset < end:
			t.Fatalf("%s at %d overlaps the tensor before, ending at %d", ti.Name, ti.Offset, end)
		}
		if ti.Size > 0 {
			end = ti.Offset + ti.Size
		}
	}
}

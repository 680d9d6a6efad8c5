//go:build (js && wasm) || (cgo && !js && (linux || darwin || windows) && (amd64 || arm64))

package webgpu

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// mirror runs every op on two backends and records the first op whose
// result differs by more than 1e-3 (a debugging aid for model tests).
type mirror struct {
	a, b  backend.Backend
	first string
	ops   int
}

type pair struct {
	a, b backend.Tensor
}

func (p *pair) Rows() int           { return p.a.Rows() }
func (p *pair) Cols() int           { return p.a.Cols() }
func (p *pair) DType() tensor.DType { return p.a.DType() }
func (p *pair) Label() string       { return p.a.Label() }

func pa(t backend.Tensor) backend.Tensor {
	if t == nil {
		return nil
	}
	return t.(*pair).a
}
func pb(t backend.Tensor) backend.Tensor {
	if t == nil {
		return nil
	}
	return t.(*pair).b
}

func (m *mirror) check(op string, dst backend.Tensor) {
	m.ops++
	if m.first != "" || dst.DType() != tensor.F32 {
		return
	}
	n := dst.Rows() * dst.Cols()
	x, y := make([]float32, n), make([]float32, n)
	if err := m.a.Read(pa(dst), x); err != nil {
		m.first = fmt.Sprintf("op %d %s %s: %v", m.ops, op, dst.Label(), err)
		return
	}
	m.b.Read(pb(dst), y)
	for i := range x {
		if d := math.Abs(float64(x[i] - y[i])); !(d <= 1e-3*(1+math.Abs(float64(y[i])))) {
			m.first = fmt.Sprintf("op %d %s %s [%d %d]: [%d] = %v, reference %v", m.ops, op, dst.Label(), dst.Rows(), dst.Cols(), i, x[i], y[i])
			return
		}
	}
}

func (m *mirror) Name() string                { return "mirror" }
func (m *mirror) WeightTypes() []tensor.DType { return m.a.WeightTypes() }
func (m *mirror) Upload(l string, dt tensor.DType, r, c int, d []byte) (backend.Tensor, error) {
	x, err := m.a.Upload(l, dt, r, c, d)
	if err != nil {
		return nil, err
	}
	y, err := m.b.Upload(l, dt, r, c, d)
	return &pair{x, y}, err
}
func (m *mirror) Alloc(l string, dt tensor.DType, r, c int) (backend.Tensor, error) {
	x, err := m.a.Alloc(l, dt, r, c)
	if err != nil {
		return nil, err
	}
	y, err := m.b.Alloc(l, dt, r, c)
	return &pair{x, y}, err
}
func (m *mirror) View(t backend.Tensor, r0, r int) backend.Tensor {
	return &pair{m.a.View(pa(t), r0, r), m.b.View(pb(t), r0, r)}
}
func (m *mirror) Free(t backend.Tensor) { m.a.Free(pa(t)); m.b.Free(pb(t)) }
func (m *mirror) Embed(d, t backend.Tensor, ids []int32) {
	m.a.Embed(pa(d), pa(t), ids)
	m.b.Embed(pb(d), pb(t), ids)
	m.check("Embed", d)
}
func (m *mirror) LayerNorm(d, x, g, b backend.Tensor, eps float32) {
	m.a.LayerNorm(pa(d), pa(x), pa(g), pa(b), eps)
	m.b.LayerNorm(pb(d), pb(x), pb(g), pb(b), eps)
	m.check("LayerNorm", d)
}
func (m *mirror) MatMul(d, x, w, bias backend.Tensor) {
	m.a.MatMul(pa(d), pa(x), pa(w), pa(bias))
	m.b.MatMul(pb(d), pb(x), pb(w), pb(bias))
	m.check("MatMul "+w.Label(), d)
}
func (m *mirror) GeluNew(d, x backend.Tensor) {
	m.a.GeluNew(pa(d), pa(x))
	m.b.GeluNew(pb(d), pb(x))
	m.check("GeluNew", d)
}
func (m *mirror) Add(d, x, y backend.Tensor) {
	m.a.Add(pa(d), pa(x), pa(y))
	m.b.Add(pb(d), pb(x), pb(y))
	m.check("Add", d)
}
func (m *mirror) Add3(d, x, y, z backend.Tensor) {
	m.a.(backend.Add3er).Add3(pa(d), pa(x), pa(y), pa(z))
	m.b.(backend.Add3er).Add3(pb(d), pb(x), pb(y), pb(z))
	m.check("Add3", d)
}
func (m *mirror) Copy(d backend.Tensor, dr int, s backend.Tensor, sr, n int) {
	m.a.Copy(pa(d), dr, pa(s), sr, n)
	m.b.Copy(pb(d), dr, pb(s), sr, n)
	m.check("Copy", d)
}
func (m *mirror) Rope(x, t backend.Tensor, p0, hd, rd int) {
	m.a.Rope(pa(x), pa(t), p0, hd, rd)
	m.b.Rope(pb(x), pb(t), p0, hd, rd)
	m.check("Rope", x)
}
func (m *mirror) Attention(d, q, k, v backend.Tensor, p0, hd int, sc float32) {
	m.a.Attention(pa(d), pa(q), pa(k), pa(v), p0, hd, sc)
	m.b.Attention(pb(d), pb(q), pb(k), pb(v), p0, hd, sc)
	m.check("Attention", d)
}
func (m *mirror) Read(t backend.Tensor, dst []float32) error { return m.a.Read(pa(t), dst) }
func (m *mirror) Argmax(t backend.Tensor, row int) (int, error) {
	return m.a.Argmax(pa(t), row)
}
func (m *mirror) Close() error { m.b.Close(); return m.a.Close() }

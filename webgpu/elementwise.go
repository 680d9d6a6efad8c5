package webgpu

import "github.com/phi2web/phi2web/runtime/backend"

func (b *Backend) GeluNew(dst, x backend.Tensor) {
	const op = "GeluNew"
	d, xt := b.get(op, dst), b.get(op, x)
	backend.CheckGeluNew(dst, x)
	if b.foldGelu(d, xt) {
		return
	}
	n := xt.rows * xt.cols
	gx, gy := grid(n, lineWG)
	b.elementwise("gelu_new", []uint32{uint32(n), d.words(), xt.words()}, gx, gy, d.buf(), xt.buf())
}

func (b *Backend) Add(dst, x, y backend.Tensor) {
	const op = "Add"
	d, at, bt := b.get(op, dst), b.get(op, x), b.get(op, y)
	backend.CheckAdd(dst, x, y)
	n := at.rows * at.cols
	gx, gy := grid(n, lineWG)
	b.elementwise("add", []uint32{uint32(n), d.words(), at.words(), bt.words()}, gx, gy, d.buf(), at.buf(), bt.buf())
}

// Add3 is dst = (a + b) + c in one pass.
func (b *Backend) Add3(dst, x, y, z backend.Tensor) {
	const op = "Add3"
	d, at, bt, ct := b.get(op, dst), b.get(op, x), b.get(op, y), b.get(op, z)
	backend.CheckAdd3(dst, x, y, z)
	n := at.rows * at.cols
	gx, gy := grid(n, lineWG)
	b.elementwise("add3", []uint32{uint32(n), d.words(), at.words(), bt.words(), ct.words()}, gx, gy,
		d.buf(), at.buf(), bt.buf(), ct.buf())
}

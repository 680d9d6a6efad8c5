package backend

import "github.com/phi2web/phi2web/runtime/tensor"

// CheckLayerNorm checks LayerNorm(dst, x, gamma, beta): all F32, dst of x's
// shape, gamma and beta [1, x columns].
func CheckLayerNorm(dst, x, gamma, beta Tensor) {
	const op = "LayerNorm"
	CheckF32(op, dst)
	CheckF32(op, x)
	CheckF32(op, gamma)
	CheckF32(op, beta)
	SameShape(op, dst, x)
	if c := x.Cols(); gamma.Rows() != 1 || gamma.Cols() != c || beta.Rows() != 1 || beta.Cols() != c {
		Fail(op, "gamma %q and beta %q must be [1 %d]", gamma.Label(), beta.Label(), c)
	}
}

// CheckMatMul checks MatMul(dst, x, w, bias): x [n, k] and w [m, k], dst
// [n, m], bias nil or [1, m]; dst, x and bias F32 (w may have any dtype the
// backend uploaded).
func CheckMatMul(dst, x, w, bias Tensor) {
	const op = "MatMul"
	CheckF32(op, dst)
	CheckF32(op, x)
	n, k, m := x.Rows(), x.Cols(), w.Rows()
	if w.Cols() != k {
		Fail(op, "x %q is [%d %d] but w %q is [%d %d]", x.Label(), n, k, w.Label(), m, w.Cols())
	}
	if dst.Rows() != n || dst.Cols() != m {
		Fail(op, "dst %q is [%d %d], want [%d %d]", dst.Label(), dst.Rows(), dst.Cols(), n, m)
	}
	if bias == nil {
		return
	}
	CheckF32(op, bias)
	if bias.Rows() != 1 || bias.Cols() != m {
		Fail(op, "bias %q is [%d %d], want [1 %d]", bias.Label(), bias.Rows(), bias.Cols(), m)
	}
}

// CheckGeluNew checks GeluNew(dst, x): both F32 of one shape.
func CheckGeluNew(dst, x Tensor) {
	const op = "GeluNew"
	CheckF32(op, dst)
	CheckF32(op, x)
	SameShape(op, dst, x)
}

// CheckAdd checks Add(dst, a, b): all F32 of one shape.
func CheckAdd(dst, a, b Tensor) {
	const op = "Add"
	CheckF32(op, dst)
	CheckF32(op, a)
	CheckF32(op, b)
	SameShape(op, dst, a)
	SameShape(op, dst, b)
}

// CheckAdd3 checks Add3(dst, a, b, c): all F32 of one shape.
func CheckAdd3(dst, a, b, c Tensor) {
	const op = "Add3"
	CheckF32(op, dst)
	CheckF32(op, a)
	CheckF32(op, b)
	CheckF32(op, c)
	SameShape(op, dst, a)
	SameShape(op, dst, b)
	SameShape(op, dst, c)
}

// CheckRope checks Rope(x, table, pos0, headDim, rotDim): both F32,
// headDim divides the columns of x, rotDim is even and at most headDim,
// table has rotDim columns and a row for every position of x.
func CheckRope(x, table Tensor, pos0, headDim, rotDim int) {
	const op = "Rope"
	CheckF32(op, x)
	CheckF32(op, table)
	if headDim <= 0 || x.Cols()%headDim != 0 {
		Fail(op, "head dim %d does not divide %d columns of %q", headDim, x.Cols(), x.Label())
	}
	if rotDim <= 0 || rotDim%2 != 0 || rotDim > headDim {
		Fail(op, "rotary dim %d must be even and in (0, %d]", rotDim, headDim)
	}
	if table.Cols() != rotDim {
		Fail(op, "table %q has %d columns, want rotary dim %d", table.Label(), table.Cols(), rotDim)
	}
	if pos0 < 0 || pos0+x.Rows() > table.Rows() {
		Fail(op, "positions [%d, %d) exceed the %d rows of table %q", pos0, pos0+x.Rows(), table.Rows(), table.Label())
	}
}

// CheckAttention checks Attention(dst, q, k, v, pos0, headDim, scale): dst
// and q F32, the caches k and v both F32, both F16 or both KVQ8, dst of q's shape, the
// caches of one shape with q's columns, headDim dividing them, and a cache
// row for every position of q.
func CheckAttention(dst, q, k, v Tensor, pos0, headDim int) {
	const op = "Attention"
	CheckF32(op, dst)
	CheckF32(op, q)
	checkCache(op, k)
	checkCache(op, v)
	if k.DType() != v.DType() {
		Fail(op, "cache %q is %s but %q is %s", k.Label(), k.DType(), v.Label(), v.DType())
	}
	SameShape(op, dst, q)
	SameShape(op, k, v)
	if k.Cols() != q.Cols() {
		Fail(op, "q %q has %d columns, cache %q has %d", q.Label(), q.Cols(), k.Label(), k.Cols())
	}
	if headDim <= 0 || q.Cols()%headDim != 0 {
		Fail(op, "head dim %d does not divide %d columns", headDim, q.Cols())
	}
	if pos0 < 0 || pos0+q.Rows() > k.Rows() {
		Fail(op, "positions [%d, %d) exceed the %d cache rows", pos0, pos0+q.Rows(), k.Rows())
	}
}

// checkCache panics unless t is an F32, F16 or KVQ8 cache.
func checkCache(op string, t Tensor) {
	if dt := t.DType(); dt != tensor.F32 && dt != tensor.F16 && dt != tensor.KVQ8 {
		Fail(op, "cache %q is %s, want F32, F16 or KVQ8", t.Label(), dt)
	}
}

package webgpu

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// selfTest runs small products (every weight format, one and several x
// rows), tiny attentions over an F16 and a KVQ8 cache (on the reference: an
// F32 cache of the dequantized values), LayerNorm and Argmax on the GPU
// and on the pure-Go reference, and fails on any difference beyond
// 1e-3·(1 + |reference|): a driver that miscompiles a kernel is refused
// before it computes anything that matters.
func selfTest(b *Backend) error {
	ref := cpu.New(cpu.WithWorkers(1))
	defer ref.Close()
	for _, c := range selfTestCases() {
		got, err := c.run(b)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if b.opts.Fault == "selftest" && len(got) > 0 {
			got[0] += 1
		}
		want, err := c.run(ref)
		if err != nil {
			return fmt.Errorf("%s on the reference: %w", c.name, err)
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-3*(1+math.Abs(float64(want[i])))) {
				return fmt.Errorf("%s: value %d is %g, the reference gives %g", c.name, i, got[i], want[i])
			}
		}
	}
	return nil
}

type selfCase struct {
	name string
	run  func(be backend.Backend) ([]float32, error)
}

// pattern is a deterministic spread of values in [−1, 1).
func pattern(n, seed int) []float32 {
	out := make([]float32, n)
	x := uint32(seed*2654435761 + 12345)
	for i := range out {
		x = x*1664525 + 1013904223
		out[i] = float32(x>>8)/float32(1<<23) - 1
	}
	return out
}

func f32data(v []float32) []byte {
	out := make([]byte, 4*len(v))
	for i, f := range v {
		bits := math.Float32bits(f)
		out[4*i], out[4*i+1], out[4*i+2], out[4*i+3] = byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24)
	}
	return out
}

func selfTestCases() []selfCase {
	var cases []selfCase
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.Q8, tensor.Q4} {
		for _, n := range []int{1, 3} {
			// Rows of 72 and 320 reach both matmul forms (rowsMaxK).
			for _, k := range []int{72, 320} {
				cases = append(cases, selfCase{fmt.Sprintf("matmul %v n=%d k=%d", dt, n, k), matmulCase(dt, n, k)})
			}
		}
	}
	cases = append(cases, selfCase{"attention", attentionCase(tensor.F16)}, selfCase{"attention KVQ8", attentionCase(tensor.KVQ8)},
		selfCase{"layernorm", layerNormCase})
	return cases
}

func matmulCase(dt tensor.DType, n, k int) func(backend.Backend) ([]float32, error) {
	const m = 10
	return func(be backend.Backend) ([]float32, error) {
		wv := pattern(m*k, 1)
		var wdata []byte
		if dt == tensor.F32 {
			wdata = f32data(wv)
		} else {
			wdata = tensor.Quantize(dt, wv, m, k)
		}
		x, err := be.Upload("x", tensor.F32, n, k, f32data(pattern(n*k, 2)))
		if err != nil {
			return nil, err
		}
		w, err := be.Upload("w", dt, m, k, wdata)
		if err != nil {
			return nil, err
		}
		bias, err := be.Upload("bias", tensor.F32, 1, m, f32data(pattern(m, 3)))
		if err != nil {
			return nil, err
		}
		dst, err := be.Alloc("dst", tensor.F32, n, m)
		if err != nil {
			return nil, err
		}
		defer freeAll(be, x, w, bias, dst)
		be.MatMul(dst, x, w, bias)
		out := make([]float32, n*m)
		if err := be.Read(dst, out); err != nil {
			return nil, err
		}
		idx, err := be.Argmax(dst, n-1)
		return append(out, float32(idx)), err
	}
}

// attentionCase is an attention over caches of dt filled by Copy; a KVQ8
// cache is dequantized on the host where be is not this backend.
func attentionCase(dt tensor.DType) func(backend.Backend) ([]float32, error) {
	const rows, cols, headDim, pos0 = 2, 32, 16, 3
	return func(be backend.Backend) ([]float32, error) {
		q, err := be.Upload("q", tensor.F32, rows, cols, f32data(pattern(rows*cols, 4)))
		if err != nil {
			return nil, err
		}
		kv := func(label string, seed int) (backend.Tensor, error) {
			values := pattern((pos0+rows)*cols, seed)
			gpu, isGPU := be.(*Backend)
			if dt == tensor.KVQ8 && !isGPU {
				return be.Upload(label, tensor.F32, pos0+rows, cols, f32data(dequantizedKVQ8(values, headDim)))
			}
			src, err := be.Upload(label+" rows", tensor.F32, pos0+rows, cols, f32data(values))
			if err != nil {
				return nil, err
			}
			defer be.Free(src)
			var c backend.Tensor
			if dt == tensor.KVQ8 {
				c, err = gpu.AllocKV(label, dt, pos0+rows, cols/headDim, headDim)
			} else {
				c, err = be.Alloc(label, dt, pos0+rows, cols)
			}
			if err == nil {
				be.Copy(c, 0, src, 0, pos0+rows)
			}
			return c, err
		}
		k, err := kv("k", 5)
		if err != nil {
			return nil, err
		}
		v, err := kv("v", 6)
		if err != nil {
			return nil, err
		}
		dst, err := be.Alloc("dst", tensor.F32, rows, cols)
		if err != nil {
			return nil, err
		}
		defer freeAll(be, q, k, v, dst)
		be.Attention(dst, q, k, v, pos0, headDim, 0.25)
		out := make([]float32, rows*cols)
		return out, be.Read(dst, out)
	}
}

// dequantizedKVQ8 is what a KVQ8 cache holds for x, heads of headDim.
func dequantizedKVQ8(x []float32, headDim int) []float32 {
	out := make([]float32, len(x))
	q := make([]int8, headDim)
	for i := 0; i < len(x); i += headDim {
		tensor.DequantizeKVQ8(out[i:i+headDim], q, tensor.QuantizeKVQ8(q, x[i:i+headDim]))
	}
	return out
}

func layerNormCase(be backend.Backend) ([]float32, error) {
	const rows, cols = 2, 80
	x, err := be.Upload("x", tensor.F32, rows, cols, f32data(pattern(rows*cols, 7)))
	if err != nil {
		return nil, err
	}
	g, _ := be.Upload("gamma", tensor.F32, 1, cols, f32data(pattern(cols, 8)))
	bt, _ := be.Upload("beta", tensor.F32, 1, cols, f32data(pattern(cols, 9)))
	dst, err := be.Alloc("dst", tensor.F32, rows, cols)
	if err != nil || g == nil || bt == nil {
		return nil, fmt.Errorf("upload failed")
	}
	defer freeAll(be, x, g, bt, dst)
	be.LayerNorm(dst, x, g, bt, 1e-5)
	be.GeluNew(dst, dst)
	out := make([]float32, rows*cols)
	return out, be.Read(dst, out)
}

func freeAll(be backend.Backend, ts ...backend.Tensor) {
	for _, t := range ts {
		be.Free(t)
	}
}

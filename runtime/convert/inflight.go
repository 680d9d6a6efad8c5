package convert

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Quantized returns src with every tensor recoded, as it is read, to the
// dtype Run would store: o.Quant for linear weights, o.EmbedQuant (or its
// default) for the embedding and LM head, F32 for vectors. A model loads
// from it quantized straight from a Hugging Face checkpoint or GGUF file,
// with no conversion step and the same bytes a conversion would store.
// Tensors already quantized pass through only when they are in their
// target dtype: quantizing quants again would compound the error.
func Quantized(src weights.Loader, o Options) (weights.Loader, error) {
	switch o.Quant {
	case tensor.Q4, tensor.Q8, tensor.F16, tensor.F32:
	default:
		return nil, fmt.Errorf("quantization %v: want Q4, Q8, F16 or F32", o.Quant)
	}
	if o.EmbedQuant == 0 {
		o.EmbedQuant = DefaultEmbedQuant(o.Quant)
	}
	return &quantized{src: src, o: o}, nil
}

type quantized struct {
	src weights.Loader
	o   Options
	rc  recoder
}

func (q *quantized) Config() weights.Config { return q.src.Config() }

func (q *quantized) Each(f func(name string, dt tensor.DType, shape []int, data []byte) error) error {
	return q.src.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		to := q.o.target(name, shape)
		if dt.Quantized() && dt != to {
			return fmt.Errorf("tensor %s is stored as %v: load it as stored, or quantize from the original weights", name, dt)
		}
		rows, cols := 1, shape[0]
		if len(shape) == 2 {
			rows, cols = shape[0], shape[1]
		}
		out, err := q.rc.recode(dt, to, rows, cols, data)
		if err != nil {
			return fmt.Errorf("tensor %s: %v", name, err)
		}
		return f(name, to, shape, out)
	})
}

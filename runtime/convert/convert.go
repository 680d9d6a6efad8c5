package convert

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Run converts every tensor of src, in the order src stores them, into a
// model directory at dir. Memory stays bounded by the largest tensor (its
// source bytes and its encoding) plus the compressor's state and buffers:
// a tensor is read, re-encoded chunk by chunk and handed to the shard
// writer before the next is read. On error nothing usable is left in dir
// (no manifest.json).
func Run(src weights.Loader, dir string, o Options) error {
	return RunTo(src, modeldir.DirSink(dir), o)
}

// RunTo is Run writing the model directory's files to sink: with
// store.Sink, straight into a store of models, in the form a downloaded
// converted model is kept. The files are those Run writes, byte for byte.
// On error the sink is aborted: nothing is left that reads as a model.
func RunTo(src weights.Loader, sink modeldir.Sink, o Options) error {
	switch o.Quant {
	case tensor.Q4, tensor.Q8, tensor.F16, tensor.F32:
	default:
		return fmt.Errorf("quantization %v: want Q4, Q8, F16 or F32", o.Quant)
	}
	if o.EmbedQuant == 0 {
		o.EmbedQuant = DefaultEmbedQuant(o.Quant)
	}
	cfg := src.Config()
	w, err := modeldir.NewWriterTo(sink, modeldir.Meta{
		ConfigJSON: ConfigJSON(cfg), Config: cfg,
		Tokenizer: modeldir.Tokenizer{Name: tokenizer.Name, SHA256: tokenizer.DataSHA256},
		Quant:     o.Quant.String(), EmbedQuant: o.EmbedQuant.String(),
	}, modeldir.WriterOptions{ShardSize: o.ShardSize})
	if err != nil {
		return err
	}
	var rc recoder
	var done int64
	err = src.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		rows, cols := 1, shape[0]
		if len(shape) == 2 {
			rows, cols = shape[0], shape[1]
		}
		out, err := rc.recode(dt, o.target(name, shape), rows, cols, data)
		if err != nil {
			return fmt.Errorf("tensor %s: %v", name, err)
		}
		if err := w.Add(name, o.target(name, shape), shape, out); err != nil {
			return err
		}
		done += int64(len(data))
		if o.Progress != nil {
			o.Progress(done)
		}
		return nil
	})
	if err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

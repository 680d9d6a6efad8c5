package gguf_test

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// memFile serves a GGUF file from memory.
type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

// Write the tiny synthetic checkpoint as a Q8_0 phi2 GGUF file, then open
// it as a weights.Loader.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := synth.Write(dir, synth.Tiny()); err != nil {
		log.Fatal(err)
	}
	src, err := weights.Open(weights.Dir(dir))
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	var file bytes.Buffer
	if err := gguf.WritePhi2(&file, src, "Q8_0"); err != nil {
		log.Fatal(err)
	}
	m, err := gguf.Open(memFile{bytes.NewReader(file.Bytes())})
	if err != nil {
		log.Fatal(err)
	}
	c := m.Config()
	fmt.Printf("%d blocks, hidden %d, vocabulary %d, rotary dim %d\n", c.NumLayers, c.HiddenSize, c.VocabSize, c.RotaryDim)
	n := 0
	m.Each(func(name string, dt tensor.DType, shape []int, data []byte) error {
		if n++; n <= 3 {
			fmt.Println(name, dt, shape)
		}
		return nil
	})
	fmt.Println(n, "tensors")
	// Output:
	// 2 blocks, hidden 64, vocabulary 51200, rotary dim 6
	// model.embed_tokens.weight Q8 [51200 64]
	// model.layers.0.input_layernorm.weight F32 [64]
	// model.layers.0.input_layernorm.bias F32 [64]
	// 33 tensors
}

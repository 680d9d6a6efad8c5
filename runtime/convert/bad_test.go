package convert_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/cpu"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// A weight that cannot be quantized stops the conversion with its name,
// and leaves no manifest behind.
func TestNaNWeightIsRefused(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 300
	hf := checkpoint(t, o)
	ck, err := weights.Open(weights.Dir(hf))
	if err != nil {
		t.Fatal(err)
	}
	var ts []weights.NamedTensor
	for _, name := range ck.Names() {
		info, _ := ck.Info(name)
		data := make([]byte, info.Size)
		if err := ck.Read(name, data); err != nil {
			t.Fatal(err)
		}
		if name == "model.layers.1.mlp.fc2.weight" {
			binary.LittleEndian.PutUint32(data[4*77:], math.Float32bits(float32(math.NaN())))
		}
		ts = append(ts, weights.NamedTensor{Name: name, DType: info.DType, Shape: info.Shape, Data: data})
	}
	ck.Close()
	var buf bytes.Buffer
	if err := weights.WriteSafetensors(&buf, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hf, "model.safetensors"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	err = load.Open(context.Background(), hf, load.Options{}, func(src *load.Model) error {
		return convert.Run(src, out, convert.Options{Quant: tensor.Q8})
	})
	if err == nil || !strings.Contains(err.Error(), "model.layers.1.mlp.fc2.weight") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("err = %v, want one naming the tensor and the NaN", err)
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed conversion left manifest.json (%v)", err)
	}
}

// A damaged shard stops the load with the shard's name; the model is not made.
func TestCorruptShardIsNotLoaded(t *testing.T) {
	o := synth.Tiny()
	o.Vocab = 300
	dir := converted(t, checkpoint(t, o), convert.Options{Quant: tensor.Q4, ShardSize: 64 << 10})
	shard := filepath.Join(dir, "shard-00001.bin.br")
	data, err := os.ReadFile(shard)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(shard, data, 0o644); err != nil {
		t.Fatal(err)
	}
	be := cpu.New()
	defer be.Close()
	var m *phi2.Model
	err = load.Open(context.Background(), dir, load.Options{}, func(src *load.Model) (err error) {
		m, err = phi2.Load(src, be, phi2.Options{})
		return err
	})
	if m != nil || err == nil || !strings.Contains(err.Error(), "shard-00001.bin.br") {
		t.Fatalf("Load = %v, %v; want an error naming shard-00001.bin.br", m, err)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/phi2web/phi2web/runtime/gguf"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/tensor"
)

// ggufTypes are the GGUF types of convert's --quant values.
var ggufTypes = map[tensor.DType]string{tensor.Q4: "Q4_0", tensor.Q8: "Q8_0", tensor.F16: "F16", tensor.F32: "F32"}

// writeGGUF writes the model in as one GGUF file of llama.cpp's "phi2"
// architecture, every matrix of type quant: the same weights for a
// side-by-side run of another engine. It writes beside out and renames, so
// a failed run leaves no file that reads as a model.
func writeGGUF(in, out string, quant tensor.DType, stdout io.Writer) error {
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return fmt.Errorf("--out %s is a directory; give a file name ending in .gguf", out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".phi2-convert-*.gguf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	var format string
	var writeErr error
	err = load.Open(context.Background(), in, load.Options{}, func(src *load.Model) error {
		format = src.Format
		writeErr = gguf.WritePhi2(tmp, src, ggufTypes[quant])
		return writeErr
	})
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp's 0600 would keep it from other users
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil && err == writeErr:
		return err
	case err != nil:
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "{\"out\":%q,\"from\":%q}\n", out, format)
	return err
}

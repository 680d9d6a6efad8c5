package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/phi2web/phi2web/runtime/convert"
	"github.com/phi2web/phi2web/runtime/load"
	"github.com/phi2web/phi2web/runtime/modeldir"
)

// runConvert writes a model directory (manifest and brotli shards) from a
// Hugging Face directory, a GGUF file or another model directory; or, for
// an --out ending in .gguf, a GGUF file llama.cpp loads (writeGGUF).
func runConvert(args []string, stdout io.Writer) error {
	fs := newFlags("convert")
	in := fs.String("in", "", "source: Hugging Face directory, .gguf file or model directory")
	out := fs.String("out", "", "directory to write manifest.json and shards into, or a .gguf file to write")
	quant := fs.String("quant", "q4", "linear weights: q4, q8, f16 or f32")
	embedQuant := fs.String("embed-quant", "", "embedding and LM head: q4, q8, f16 or f32 (default q8 for q4, else as --quant)")
	shardSize := fs.String("shard-size", "32MiB", "raw bytes per shard (a number, or with KiB, MiB, GiB)")
	registerQuiet(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return usageErr("--in and --out are required")
	}
	var o convert.Options
	var err error
	if o.Quant, err = convert.ParseQuant(*quant); err != nil {
		return usageErr("--quant: %v", err)
	}
	if *embedQuant != "" {
		if o.EmbedQuant, err = convert.ParseQuant(*embedQuant); err != nil {
			return usageErr("--embed-quant: %v", err)
		}
	}
	if o.ShardSize, err = parseSize(*shardSize); err != nil {
		return usageErr("--shard-size: %v", err)
	}
	if strings.HasSuffix(*out, ".gguf") {
		if *embedQuant != "" {
			return usageErr("--embed-quant: a GGUF file takes --quant for every matrix")
		}
		return writeGGUF(*in, *out, o.Quant, stdout)
	}
	if err := checkOut(*in, *out); err != nil {
		return err
	}
	var format string
	var runErr error
	err = load.Open(context.Background(), *in, load.Options{}, func(src *load.Model) error {
		format = src.Format
		bar := newProgressBar("convert", src.Bytes)
		o.Progress = bar.update
		if runErr = convert.Run(src, *out, o); runErr == nil {
			bar.finish()
		}
		return runErr
	})
	switch {
	case err != nil && err == runErr:
		return err
	case err != nil:
		return fmt.Errorf("%s: %w", *in, err)
	}
	_, err = fmt.Fprintf(stdout, "{\"out\":%q,\"from\":%q}\n", *out, format)
	return err
}

// checkOut refuses an --out whose files would mix with the conversion's:
// the source itself, or a directory holding anything but an earlier
// conversion (whose stale shards the new one removes).
func checkOut(in, out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if a, err := os.Stat(in); err == nil {
		if b, err := os.Stat(out); err == nil && os.SameFile(a, b) {
			return usageErr("--out %s is the --in directory: write the conversion elsewhere", out)
		}
	}
	var strays []string
	for _, e := range entries {
		if !modeldir.IsModelFile(e.Name()) {
			strays = append(strays, strconv.Quote(e.Name()))
		}
	}
	switch {
	case len(strays) == 1:
		return fmt.Errorf("--out %s holds %s, which is not part of a converted model: give a new or empty directory", out, strays[0])
	case len(strays) > 1:
		return fmt.Errorf("--out %s holds %s and %d more files that are not part of a converted model: give a new or empty directory", out, strays[0], len(strays)-1)
	}
	return nil
}

// parseSize reads a byte count such as 33554432, 32MiB or 512KiB.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mul    int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mul := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mul = strings.TrimSuffix(s, u.suffix), u.mul
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a positive size", s)
	}
	return n * mul, nil
}

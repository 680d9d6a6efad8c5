package main

import (
	"fmt"
	"io"
	"math"
)

func runLogits(args []string, stdout io.Writer) error {
	fs := newFlags("logits")
	var ef engineFlags
	ef.register(fs)
	ef.registerThreads(fs)
	ef.registerQuant(fs)
	list := fs.String("ids", "", "comma-separated token ids of the input")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := ef.checkSizes(fs); err != nil {
		return err
	}
	args, err := ef.useDefaultModel(args)
	if err != nil {
		return err
	}
	if ran, err := ef.delegate(fs, "logits", args, stdout); ran {
		return err
	}
	ids, err := parseIDs(*list)
	if err != nil {
		return err
	}
	m, err := ef.open()
	if err != nil {
		return err
	}
	defer m.Close()
	logits := make([]float32, m.Config().VocabSize)
	if err := m.Logits(ids, logits); err != nil {
		return err
	}
	best := 0
	for i, v := range logits {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("logit %d is %v: the weights produce non-finite values", i, v)
		}
		if v > logits[best] {
			best = i
		}
	}
	_, err = fmt.Fprintf(stdout, "{\"logits\":%s,\"argmax\":%d}\n", formatFloats(logits), best)
	return err
}

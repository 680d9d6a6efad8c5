package main

import (
	"fmt"
	"io"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

func runTokenize(args []string, stdout io.Writer) error {
	fs := newFlags("tokenize")
	text := fs.String("text", "", "text to encode")
	if err := parse(fs, args); err != nil {
		return err
	}
	tok, err := tokenizer.New()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, formatIDs(tok.Encode(*text)))
	return err
}

func runDetokenize(args []string, stdout io.Writer) error {
	fs := newFlags("detokenize")
	list := fs.String("ids", "", "comma-separated token ids")
	if err := parse(fs, args); err != nil {
		return err
	}
	ids, err := parseIDs(*list)
	if err != nil {
		return err
	}
	tok, err := tokenizer.New()
	if err != nil {
		return err
	}
	text, err := tok.Decode(ids)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, text)
	return err
}

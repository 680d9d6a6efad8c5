package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

// stdin is what tokenize reads without --text.
var stdin io.Reader = os.Stdin

func runTokenize(args []string, stdout io.Writer) error {
	fs := newFlags("tokenize")
	text := fs.String("text", "", "text to encode (default: stdin, when it is not a terminal)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !given(fs, "text") {
		if isTerminal(stdin) {
			return usageErr("give the text with --text, or on stdin")
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		*text = string(data)
	}
	tok, err := tokenizer.New()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, formatIDs(tok.Encode(*text)))
	return err
}

// given reports whether the flag name was on the command line.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
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
	_, err = fmt.Fprintln(stdout, text)
	return err
}

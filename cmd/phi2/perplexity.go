package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/tokenizer"
	"github.com/phi2web/phi2web/runtime/weights"
)

// perplexityOutput is the JSON result of `phi2 perplexity`.
type perplexityOutput struct {
	Tokens     int     `json:"tokens"` // tokens scored: all of the file's but the first
	NLL        float64 `json:"nll"`    // mean negative log-likelihood, nats per token
	Perplexity float64 `json:"perplexity"`
	Engine     string  `json:"engine"`
	Backend    string  `json:"backend"`
}

func runPerplexity(args []string, stdout io.Writer) error {
	fs := newFlags("perplexity")
	var ef engineFlags
	ef.register(fs)
	ef.registerThreads(fs)
	ef.registerQuant(fs)
	file := fs.String("file", "", "text file to score")
	stride := fs.Int("stride", 0, "tokens the window moves by (0: half the context)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := ef.checkSizes(fs); err != nil {
		return err
	}
	if *file == "" {
		return usageErr("--file is required: the text to score")
	}
	if *stride < 0 {
		return usageErr("--stride %d: want a number of tokens, or 0 for half the context", *stride)
	}
	if abs, err := filepath.Abs(*file); err == nil && abs != *file {
		// The other engines run this command elsewhere, where only an
		// absolute path names the same file.
		args = append(args[:len(args):len(args)], "--file="+abs) // the last --file counts
	}
	args, err := ef.useDefaultModel(args)
	if err != nil {
		return err
	}
	if ran, err := ef.delegate(fs, "perplexity", args, stdout); ran {
		return err
	}
	text, err := readText(*file)
	if err != nil {
		return err
	}
	tok, err := tokenizer.New()
	if err != nil {
		return err
	}
	ids := tok.Encode(string(text))
	if len(ids) < 2 {
		return fmt.Errorf("%s: %d tokens; at least 2 are needed to score one", *file, len(ids))
	}
	m, err := ef.open()
	if err != nil {
		return err
	}
	defer m.Close()
	window := m.MaxContext()
	if window < 2 {
		return usageErr("--context %d: a window of at least 2 tokens is needed to score one", window)
	}
	step := *stride
	if step <= 0 {
		step = max(1, window/2)
	}
	bar := newTokenBar("perplexity", int64(len(ids)-1))
	sum, n, err := scoreText(m.Session(), ids, window, step, bar.update)
	if err != nil {
		return err
	}
	bar.finish()
	nll := sum / float64(n)
	return json.NewEncoder(stdout).Encode(perplexityOutput{Tokens: n, NLL: nll, Perplexity: math.Exp(nll),
		Engine: reportedEngine(ef.engine), Backend: m.Backend()})
}

// readText reads the file to score, refusing one larger than the limit
// before reading it, or, where the size is not known beforehand (a pipe, a
// device), once the limit is passed.
func readText(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if err := weights.MaxTextBytes.Check(st.Size()); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	text, err := io.ReadAll(io.LimitReader(f, weights.MaxTextBytes.Max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(text)) > weights.MaxTextBytes.Max {
		return nil, fmt.Errorf("%s: %v", path, weights.MaxTextBytes.Passed())
	}
	return text, nil
}

// span is one window of a sliding-window evaluation: ids[begin:end] are
// fed to a fresh session, and the predictions of ids[score:end] count.
type span struct{ begin, score, end int }

// windows plans the evaluation of n tokens with windows of size window
// moved by stride: every token after the first is scored once, with as
// much context before it as the window allows. Windows overlap by at least
// one token, the one the next window's first prediction is made from.
func windows(n, window, stride int) []span {
	stride = max(1, min(stride, window-1))
	var out []span
	scored := 1
	for begin := 0; scored < n; begin += stride {
		end := min(begin+window, n)
		if end <= scored {
			continue
		}
		out = append(out, span{begin: begin, score: max(scored, begin+1), end: end})
		scored = end
	}
	return out
}

// chunk is how many positions' logits are held at once.
const chunk = 32

// scoreText returns the summed negative log-likelihood of ids[1:] and the
// number of tokens scored, telling scored that number as it grows.
func scoreText(s *phi2.Session, ids []int32, window, stride int, scored func(int64)) (float64, int, error) {
	vocab := s.Model().Config.VocabSize
	logits := make([]float32, chunk*vocab)
	var sum float64
	n := 0
	for _, w := range windows(len(ids), window, stride) {
		s.Reset()
		for at := w.begin; at < w.end; at += chunk {
			to := min(at+chunk, w.end)
			if err := s.FeedAll(ids[at:to], logits[:(to-at)*vocab]); err != nil {
				return 0, 0, err
			}
			for p := max(at, w.score-1); p < to && p+1 < w.end; p++ {
				sum += nllOf(logits[(p-at)*vocab:(p-at+1)*vocab], ids[p+1])
				n++
			}
			scored(int64(n))
		}
	}
	return sum, n, nil
}

// nllOf is -log softmax(row)[target], computed in float64.
func nllOf(row []float32, target int32) float64 {
	top := math.Inf(-1)
	for _, v := range row {
		top = math.Max(top, float64(v))
	}
	var z float64
	for _, v := range row {
		z += math.Exp(float64(v) - top)
	}
	return top + math.Log(z) - float64(row[target])
}

package sample

import (
	"fmt"
	"math"
)

// Options configures a [Sampler]. The zero value means greedy decoding with no
// filter and no penalty. Each field names the command-line flag it mirrors.
type Options struct {
	// Temperature (--temperature) divides the logits before the softmax.
	// 0 selects greedy decoding: the argmax, ties going to the lowest id.
	// Below 1 sharpens the distribution, above 1 flattens it.
	Temperature float32

	// TopK (--top-k) keeps only the K most likely tokens.
	// 0, or a value at least the vocabulary size, keeps all.
	TopK int

	// TopP (--top-p) keeps the smallest set of most likely tokens whose
	// probabilities sum to at least TopP (nucleus sampling), never fewer than
	// one. 0 or 1 turns it off.
	TopP float32

	// MinP (--min-p) keeps the tokens whose probability is at least MinP
	// times that of the most likely token. 0 turns it off.
	MinP float32

	// RepeatPenalty (--repeat-penalty) makes tokens seen in the recent
	// history less likely: each distinct id has a positive logit divided by
	// the penalty and a negative one multiplied by it. It applies in greedy
	// mode too. 0 or 1 turns it off; values below 1 favour repetition.
	RepeatPenalty float32

	// RepeatWindow is how many of the most recent history tokens the penalty
	// looks at. 0 means all of the history given to Sample.
	RepeatWindow int

	// Seed (--seed) starts the random stream.
	Seed uint64
}

// Validate reports the first option that is out of range, naming its flag
// and value.
func (o Options) Validate() error {
	switch {
	case !finiteAtLeastZero(o.Temperature):
		return fmt.Errorf("sample: --temperature %v must be a finite number ≥ 0", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("sample: --top-k %d must be ≥ 0", o.TopK)
	case !(o.TopP >= 0 && o.TopP <= 1):
		return fmt.Errorf("sample: --top-p %v must be in [0, 1]", o.TopP)
	case !(o.MinP >= 0 && o.MinP <= 1):
		return fmt.Errorf("sample: --min-p %v must be in [0, 1]", o.MinP)
	case !finiteAtLeastZero(o.RepeatPenalty):
		return fmt.Errorf("sample: --repeat-penalty %v must be a finite number ≥ 0", o.RepeatPenalty)
	case o.RepeatWindow < 0:
		return fmt.Errorf("sample: repeat window %d must be ≥ 0", o.RepeatWindow)
	}
	return nil
}

func finiteAtLeastZero(v float32) bool {
	return v >= 0 && !math.IsInf(float64(v), 1)
}

// settings are the options as the sampler uses them: every filter that is off
// holds its zero value, so one comparison tells whether it applies.
type settings struct {
	temp    float64 // 0: greedy
	topK    int     // 0: off
	topP    float64 // 0: off
	minP    float64 // 0: off
	penalty float32 // 0: off
	window  int     // 0: whole history
}

// settle maps options to settings. Values that Validate rejects turn their
// filter off (or clamp it), so a sampler never panics on them.
func settle(o Options) settings {
	var s settings
	if finiteAtLeastZero(o.Temperature) {
		s.temp = float64(o.Temperature)
	}
	if o.TopK > 0 {
		s.topK = o.TopK
	}
	if o.TopP > 0 && o.TopP < 1 {
		s.topP = float64(o.TopP)
	}
	if o.MinP > 0 {
		s.minP = math.Min(float64(o.MinP), 1)
	}
	if finiteAtLeastZero(o.RepeatPenalty) && o.RepeatPenalty != 1 {
		s.penalty = o.RepeatPenalty
	}
	if o.RepeatWindow > 0 {
		s.window = o.RepeatWindow
	}
	return s
}

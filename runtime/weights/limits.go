package weights

import "fmt"

// Limit bounds one input of the engine. Each is checked before anything
// sized by that input is allocated, read or written, so that a hostile or
// mistaken value ends in an error saying so instead of an exhausted
// machine.
type Limit struct {
	What string // what is bounded, as messages name it
	Unit string // "" or the unit of Max, such as "bytes"
	Max  int64
}

// The engine's limits. Each is well above what Phi-2 needs (in the
// comment) and low enough that what it sizes fits a machine that can run
// such a model at all.
var (
	MaxContext      = Limit{What: "context length", Max: 1 << 20}                          // 2048
	MaxVocab        = Limit{What: "vocabulary size", Max: 1 << 20}                         // 51200
	MaxLayers       = Limit{What: "layer count", Max: 1 << 10}                             // 32
	MaxHidden       = Limit{What: "hidden size", Max: 1 << 16}                             // 2560
	MaxIntermediate = Limit{What: "intermediate size", Max: 1 << 18}                       // 10240
	MaxHeads        = Limit{What: "attention head count", Max: 1 << 12}                    // 32
	MaxParameters   = Limit{What: "parameter count", Max: 1 << 34}                         // 2.78e9
	MaxTensorBytes  = Limit{What: "tensor size", Unit: "bytes", Max: 1 << 30}              // 500 MiB: the F32 embedding
	MaxThreads      = Limit{What: "thread count", Max: 1 << 10}                            // the cores at hand
	MaxTextBytes    = Limit{What: "size of a text to score", Unit: "bytes", Max: 32 << 20} // a few MB of held-out text
)

// Limits lists every limit, for documentation and tests.
var Limits = []Limit{MaxContext, MaxVocab, MaxLayers, MaxHidden, MaxIntermediate, MaxHeads,
	MaxParameters, MaxTensorBytes, MaxThreads, MaxTextBytes}

// Check returns an error when v is above the limit. Whether v must also be
// positive is the caller's to say, since 0 often means "the default".
func (l Limit) Check(v int64) error {
	if v <= l.Max {
		return nil
	}
	unit := l.unit()
	return fmt.Errorf("%s %d%s is larger than %d%s, the most this engine supports", l.What, v, unit, l.Max, unit)
}

// Passed is the error of an input found larger than the limit before its
// end, such as a stream that has gone past it.
func (l Limit) Passed() error {
	return fmt.Errorf("%s is larger than %d%s, the most this engine supports", l.What, l.Max, l.unit())
}

func (l Limit) unit() string {
	if l.Unit == "" {
		return ""
	}
	return " " + l.Unit
}

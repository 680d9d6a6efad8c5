package web

import (
	"embed"
	"io/fs"
)

// DefaultModelName names the default model: phi-nano, a small model of the
// Phi-2 architecture and tokenizer trained on Go's source tree
// (tools/train), converted to F16.
const DefaultModelName = "phi-nano"

// DefaultModelDescription is what the demo page says of it.
const DefaultModelDescription = "phi-nano: 14 M parameters of the Phi-2 architecture and tokenizer, trained on Go's source tree. " +
	"It writes Go-like code; a demonstration of the engine, not Phi-2."

//go:embed models/phi-nano
var defaultModel embed.FS

// DefaultModel is the default model's directory: manifest.json and shards.
func DefaultModel() fs.FS {
	sub, err := fs.Sub(defaultModel, "models/"+DefaultModelName)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

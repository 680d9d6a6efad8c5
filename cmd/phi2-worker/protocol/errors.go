// Package protocol holds the portable parts of the page's worker
// (./cmd/phi2-worker): the checks of the worker protocol's requests and
// its error codes with their hints, so that they are tested natively. The
// protocol itself is described in the program's doc comment.
package protocol

import (
	"errors"
	"fmt"
	"strings"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/runtime/load"
)

// Error codes of the protocol's error messages (the JS Phi2Error.code).
const (
	CodeWebGPU      = "webgpu-unavailable"
	CodeNetwork     = "network"
	CodeNotFound    = "not-found"
	CodeQuota       = "quota"
	CodeBadModel    = "bad-model"
	CodeContextFull = "context-full"
	CodeBusy        = "busy"
	CodeNotLoaded   = "not-loaded"
	CodeBadRequest  = "bad-request"
	CodeWorker      = "worker"
	CodeInternal    = "internal"
)

// hints say what to do about each code.
var hints = map[string]string{
	CodeWebGPU:      `Use backend "auto" or "simd" to compute on wasm SIMD, or a browser with WebGPU enabled.`,
	CodeNetwork:     "Check the connection and the model URL (a server on another origin must allow cross-origin requests); a model loaded once before loads offline.",
	CodeNotFound:    "Give the URL of a converted model directory (with manifest.json) or of a Hugging Face repository (with config.json and safetensors).",
	CodeQuota:       "Free storage: delete stored models (Phi2.cache.delete or clear), raise maxStorageBytes, or choose a smaller quant.",
	CodeBadModel:    "Delete the stored copy (Phi2.cache.delete) and load it again; if it persists, convert the model again with phi2 convert.",
	CodeContextFull: "Shorten the prompt or start a new conversation.",
	CodeBusy:        "Wait for the running generation to end, or abort it.",
	CodeNotLoaded:   "Load a model first.",
	CodeBadRequest:  "Check the request's fields and options against the documentation.",
	CodeWorker:      "Reload the page; check that phi2-worker.js, phi2.wasm, kernels.wasm and kernels-relaxed.wasm are served beside phi2.js.",
	CodeInternal:    "Reload the page; if it happens again, report the message.",
}

// Error is a failure as the protocol sends it.
type Error struct {
	Code    string
	Message string // one line: what is wrong
	Hint    string // what to do
}

func (e *Error) Error() string { return e.Message }

// Errorf makes an Error of code with its hint.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: oneLine(fmt.Sprintf(format, args...)), Hint: hints[code]}
}

// Classify maps err to its code: an *Error keeps its own, the kinds of
// failure of runtime/load and the facade theirs, anything else is
// internal.
func Classify(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var full *phi2web.ContextFullError
	code := CodeInternal
	switch {
	case errors.Is(err, load.ErrNetwork):
		code = CodeNetwork
	case errors.Is(err, load.ErrNotFound):
		code = CodeNotFound
	case errors.Is(err, load.ErrQuota):
		code = CodeQuota
	case errors.Is(err, load.ErrBadModel):
		code = CodeBadModel
	case errors.Is(err, load.ErrQuant):
		code = CodeBadRequest
	case errors.Is(err, phi2web.ErrBackend):
		code = CodeWebGPU
	case errors.As(err, &full):
		code = CodeContextFull
	}
	return Errorf(code, "%v", err)
}

// oneLine joins the lines of a message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

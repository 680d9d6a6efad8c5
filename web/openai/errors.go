package openai

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error answered in OpenAI's shape:
// {"error":{"message","type","param","code"}}.
type apiError struct {
	status  int
	message string
	kind    string // the error's type
	param   string // the request field at fault, if one is
	code    string
}

func (e *apiError) Error() string { return e.message }

// badParam is a 400 for request field param.
func badParam(param, code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...), kind: "invalid_request_error", param: param, code: code}
}

// body is the error's JSON object.
func (e *apiError) body() map[string]any {
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return map[string]any{"error": map[string]any{"message": e.message, "type": e.kind, "param": nullable(e.param), "code": nullable(e.code)}}
}

// write answers the error as a JSON response.
func (e *apiError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Length")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(e.body())
}

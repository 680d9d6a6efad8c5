// Package openai serves an OpenAI-compatible API over a Phi-2 model:
// GET /v1/models, POST /v1/chat/completions and POST /v1/completions, with
// and without server-sent events. Chat messages become Phi-2's
// "Instruct: …\nOutput:" prompt exactly as the JS API writes them
// (web/phi2-openai.js; both are checked against testdata/chat.json), and
// the sampling defaults are the JS API's. One generation runs at a time;
// a bounded queue waits behind it, and a request beyond it is refused
// with 503 and Retry-After.
package openai

package openai

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ChatStops end every chat reply: the model's next turn, and its end of
// text written out.
var ChatStops = []string{"\nInstruct:", "<|endoftext|>"}

// Message is one chat message: its role and its text.
type Message struct {
	Role, Content string

	shown string // the role as JSON.stringify writes it, where it is not a string
}

// promptError is a bad messages field: what is wrong (the words of the JS
// API's error, which the shared test vectors compare) and what to do.
type promptError struct{ message, hint string }

func (e *promptError) Error() string { return e.message + "; " + e.hint }

// ParseMessages reads a request's messages as the JS API does: each an
// object with a role and content, a string or an array of text parts,
// checked in order, so the error is the JS API's.
func ParseMessages(raw json.RawMessage) ([]Message, error) {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, &promptError{"messages must be a non-empty array", `give at least one {role: "user", content}`}
	}
	out := make([]Message, len(list))
	for i, item := range list {
		var m map[string]json.RawMessage
		if json.Unmarshal(item, &m) != nil || m == nil {
			return nil, &promptError{fmt.Sprintf("messages[%d] must be an object", i), "{role, content}"}
		}
		text, ok := messageText(m["content"])
		if !ok {
			return nil, &promptError{fmt.Sprintf("messages[%d].content must be a string or an array of text parts", i), "Phi-2 reads text only"}
		}
		out[i] = Message{Content: text, shown: "undefined"} // a missing role, as JavaScript writes it
		if r, ok := m["role"]; ok && json.Unmarshal(r, &out[i].Role) == nil {
			out[i].shown = ""
		} else if ok {
			out[i].shown = string(r)
		}
		if err := roleError(out[i], i, len(list)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// roleError refuses message i of n for its role: one not supported, or a
// system message last.
func roleError(m Message, i, n int) error {
	switch m.Role {
	case "user", "assistant":
		return nil
	case "system", "developer":
		if i < n-1 {
			return nil
		}
		return &promptError{"the last message must be from the user or the assistant", "add the user's message"}
	}
	return &promptError{fmt.Sprintf("messages[%d].role %s is not supported", i, m.quotedRole()), "roles: system, user, assistant"}
}

// messageText is a content's text: a string, or text parts joined.
func messageText(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil && string(raw) != "null" {
		return s, true
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil || parts == nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", false
		}
		b.WriteString(*p.Text)
	}
	return b.String(), true
}

// ChatPrompt writes messages in Phi-2's QA format, as web/phi2-openai.js
// does: system text as it is, "Instruct: <user>\nOutput:" per user turn,
// and each assistant reply after it. A last assistant message is left
// open: the reply continues it.
func ChatPrompt(messages []Message) (string, error) {
	if len(messages) == 0 {
		return "", &promptError{"messages must be a non-empty array", `give at least one {role: "user", content}`}
	}
	var b strings.Builder
	for i, m := range messages {
		if err := roleError(m, i, len(messages)); err != nil {
			return "", err
		}
		last := i == len(messages)-1
		switch m.Role {
		case "system", "developer":
			b.WriteString(m.Content + "\n")
		case "user":
			b.WriteString("Instruct: " + m.Content + "\nOutput:")
			if !last && messages[i+1].Role != "assistant" {
				b.WriteString("\n")
			}
		case "assistant":
			if i == 0 || messages[i-1].Role != "user" {
				b.WriteString("Output:")
			}
			b.WriteString(" " + m.Content)
			if !last {
				b.WriteString("\n")
			}
		}
	}
	return b.String(), nil
}

// quotedRole is the role as JSON.stringify writes it.
func (m Message) quotedRole() string {
	if m.shown != "" {
		return m.shown
	}
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false) // as JSON.stringify
	e.Encode(m.Role)
	return strings.TrimSuffix(b.String(), "\n")
}

// FitChat leaves out the oldest turns of messages, whole (a user message
// and what follows it up to the next one), until the prompt fits context
// with room for the reply: maxTokens, at most half the context. System
// messages and the last turn always stay; when even they do not fit they
// are returned as they are, for the caller to refuse. count gives a
// prompt's length in tokens. It returns the prompt and how many messages
// were left out. messages must have passed ChatPrompt.
func FitChat(messages []Message, maxTokens, context int, count func(string) int) (string, int) {
	whole, _ := ChatPrompt(messages)
	var starts []int
	for i, m := range messages {
		if m.Role == "user" {
			starts = append(starts, i)
		}
	}
	if len(starts) < 2 {
		return whole, 0
	}
	limit := context - min(maxTokens, context/2)
	if count(whole) <= limit {
		return whole, 0
	}
	// Leaving out k turns keeps the system messages and those from the
	// k-th user message on.
	without := func(k int) (string, int) {
		var kept []Message
		for i, m := range messages {
			if i >= starts[k] || m.Role == "system" || m.Role == "developer" {
				kept = append(kept, m)
			}
		}
		p, _ := ChatPrompt(kept)
		return p, len(messages) - len(kept)
	}
	best, dropped := without(len(starts) - 1)
	lo, hi := 1, len(starts)-2
	for lo <= hi { // the fewest turns left out that fit
		mid := (lo + hi) / 2
		if p, d := without(mid); count(p) <= limit {
			best, dropped, hi = p, d, mid-1
		} else {
			lo = mid + 1
		}
	}
	return best, dropped
}

package openai

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"
)

// vectors is testdata/chat.json, which web/openai/chat_vectors_test.mjs
// checks the JS API's chatPrompt and fitChat against: the two cannot
// drift apart.
type vectors struct {
	ChatStops []string `json:"chat_stops"`
	Prompts   []struct {
		Name     string
		Messages json.RawMessage
		Prompt   *string
		Error    string
	}
	Fit []struct {
		Name      string
		Messages  json.RawMessage
		MaxTokens int `json:"max_tokens"`
		Context   int
		Prompt    string
		Dropped   int
	}
}

func readVectors(t *testing.T) vectors {
	data, err := os.ReadFile("testdata/chat.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Prompts) < 10 || len(v.Fit) < 5 {
		t.Fatalf("testdata/chat.json has %d prompts and %d fit cases", len(v.Prompts), len(v.Fit))
	}
	return v
}

func TestChatPromptVectors(t *testing.T) {
	v := readVectors(t)
	if !slices.Equal(v.ChatStops, ChatStops) {
		t.Errorf("ChatStops %q, want %q", ChatStops, v.ChatStops)
	}
	for _, c := range v.Prompts {
		messages, err := ParseMessages(c.Messages)
		var prompt string
		if err == nil {
			prompt, err = ChatPrompt(messages)
		}
		var pe *promptError
		switch {
		case c.Prompt != nil && (err != nil || prompt != *c.Prompt):
			t.Errorf("%s: %q, %v; want %q", c.Name, prompt, err, *c.Prompt)
		case c.Prompt == nil && !errors.As(err, &pe):
			t.Errorf("%s: %q, %v; want the error %q", c.Name, prompt, err, c.Error)
		case c.Prompt == nil && pe.message != c.Error:
			t.Errorf("%s: error %q, want %q", c.Name, pe.message, c.Error)
		}
	}
}

func TestFitChatVectors(t *testing.T) {
	for _, c := range readVectors(t).Fit {
		messages, err := ParseMessages(c.Messages)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		counted := 0
		// A token is a byte here, a character in the JS test: the vectors are ASCII.
		count := func(s string) int { counted++; return len(s) }
		prompt, dropped := FitChat(messages, c.MaxTokens, c.Context, count)
		if prompt != c.Prompt || dropped != c.Dropped {
			t.Errorf("%s: %q with %d left out, want %q with %d", c.Name, prompt, dropped, c.Prompt, c.Dropped)
		}
		if counted > 4 {
			t.Errorf("%s: %d counts; want a binary search over the turns", c.Name, counted)
		}
	}
}

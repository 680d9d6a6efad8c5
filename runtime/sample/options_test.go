package sample

import (
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	bad := []struct {
		o    Options
		want string // substring of the error
	}{
		{Options{Temperature: -0.5}, "--temperature -0.5"},
		{Options{Temperature: nan}, "--temperature NaN"},
		{Options{Temperature: inf}, "--temperature +Inf"},
		{Options{TopK: -3}, "--top-k -3"},
		{Options{TopP: 1.5}, "--top-p 1.5"},
		{Options{TopP: -0.1}, "--top-p -0.1"},
		{Options{TopP: nan}, "--top-p NaN"},
		{Options{MinP: 2}, "--min-p 2"},
		{Options{MinP: -0.01}, "--min-p -0.01"},
		{Options{RepeatPenalty: -1}, "--repeat-penalty -1"},
		{Options{RepeatPenalty: inf}, "--repeat-penalty +Inf"},
		{Options{RepeatWindow: -64}, "window -64"},
	}
	for _, c := range bad {
		err := c.o.Validate()
		if err == nil {
			t.Errorf("%+v: no error", c.o)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%+v: error %q, want one line containing %q", c.o, msg, c.want)
		}
	}
	good := []Options{
		{},
		{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, RepeatWindow: 64, Seed: 1},
		{TopP: 1, MinP: 1, RepeatPenalty: 0.5},
	}
	for _, o := range good {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: unexpected error %v", o, err)
		}
	}
}

// Options that Validate rejects must not make a sampler panic.
func TestNewToleratesInvalidOptions(t *testing.T) {
	l := []float32{0.5, 2, -1, 2}
	for _, o := range []Options{
		{Temperature: -1, RepeatPenalty: float32(math.NaN())},
		{Temperature: 1, TopK: -5, TopP: 7, MinP: 9, RepeatWindow: -2, RepeatPenalty: 0.25},
		{Temperature: float32(math.Inf(1)), TopP: float32(math.NaN())},
	} {
		s := New(o)
		for range 5 {
			if id := s.Sample(l, []int32{0, 1, 2}); id < 0 || int(id) >= len(l) {
				t.Fatalf("%+v: id %d outside the vocabulary", o, id)
			}
		}
	}
}

package sample_test

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/sample"
)

func Example() {
	o := sample.Options{Temperature: 0.8, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1, Seed: 1}
	if err := o.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	s := sample.New(o)
	logits := []float32{-1, 4, 3.5, 0, 2} // one score per vocabulary id
	history := []int32{1}                 // id 1 was just produced: penalized
	id := s.Sample(logits, history)
	fmt.Println(id >= 0 && id < int32(len(logits)))

	greedy := sample.New(sample.Options{})
	fmt.Println(greedy.Greedy(), greedy.Sample(logits, nil))
	// Output:
	// true
	// true 1
}

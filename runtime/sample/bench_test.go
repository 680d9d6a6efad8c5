package sample

import "testing"

func benchmarkSample(b *testing.B, o Options, scale float32) {
	l := randomLogits(51200, 99, scale)
	hist := make([]int32, 64)
	for i := range hist {
		hist[i] = int32(i * 797 % 51200)
	}
	s := New(o)
	b.ReportAllocs()
	for b.Loop() {
		s.Sample(l, hist)
	}
}

// The usual chat settings at Phi-2's vocabulary size.
func BenchmarkTopK40TopP095Temp08(b *testing.B) {
	benchmarkSample(b, Options{Temperature: 0.8, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1}, 10)
}

func BenchmarkGreedyWithPenalty(b *testing.B) {
	benchmarkSample(b, Options{RepeatPenalty: 1.1}, 10)
}

// Top-p alone over the whole vocabulary: peaked logits keep the nucleus
// short, flat ones force a sort of nearly everything.
func BenchmarkTopPPeaked(b *testing.B) { benchmarkSample(b, Options{Temperature: 1, TopP: 0.95}, 20) }
func BenchmarkTopPFlat(b *testing.B)   { benchmarkSample(b, Options{Temperature: 1, TopP: 0.95}, 1) }

func BenchmarkMinPOnly(b *testing.B) { benchmarkSample(b, Options{Temperature: 1, MinP: 0.05}, 10) }

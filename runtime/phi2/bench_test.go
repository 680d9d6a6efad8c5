package phi2_test

import (
	"testing"

	"github.com/phi2web/phi2web/runtime/phi2"
	"github.com/phi2web/phi2web/runtime/synth"
)

// BenchmarkDecode measures one cached decode step after a 128-token prompt.
// "phi2-1layer" is one Phi-2-shape layer plus the full embedding and LM head
// (F16, as the checkpoint is stored): a full model step costs about 32× its
// layer time plus the head.
func BenchmarkDecode(b *testing.B) {
	one := synth.Phi2()
	one.Layers = 1
	for _, c := range []struct {
		name string
		o    synth.Options
	}{{"tiny", synth.Tiny()}, {"phi2-1layer", one}} {
		b.Run(c.name, func(b *testing.B) {
			m := load(b, c.o, phi2.Options{MaxContext: 1024})
			s := newSession(b, m)
			prompt := sequence(128, c.o.Vocab)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if s.Pos() == 0 || s.Pos() >= m.MaxContext() {
					b.StopTimer()
					s.Reset()
					if err := s.Feed(prompt); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if err := s.Feed([]int32{7}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Argmax(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkPrefill measures a 128-token prompt.
func BenchmarkPrefill(b *testing.B) {
	one := synth.Phi2()
	one.Layers = 1
	for _, c := range []struct {
		name string
		o    synth.Options
	}{{"tiny", synth.Tiny()}, {"phi2-1layer", one}} {
		b.Run(c.name, func(b *testing.B) {
			m := load(b, c.o, phi2.Options{MaxContext: 1024, MaxBatch: 128})
			s := newSession(b, m)
			prompt := sequence(128, c.o.Vocab)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Reset()
				if err := s.Feed(prompt); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Argmax(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(prompt))/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

package sample

// splitmix64 is the random stream: a 64-bit counter stepped by the golden
// ratio and passed through a fixed mixing function. It is defined here, not
// taken from math/rand, so that its output never changes across Go versions
// or platforms.
type splitmix64 struct{ state uint64 }

func (r *splitmix64) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float64 returns a uniform number in [0, 1) built from the top 53 bits.
func (r *splitmix64) float64() float64 {
	return float64(r.next()>>11) * (1.0 / (1 << 53))
}

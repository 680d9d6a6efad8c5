package synth

// The spec's known values (§8) for Tiny(), seed 1, F32: the prompt, the
// first eight logits of its last position, and the 16 greedy tokens that
// follow (the F16 and BF16 variants give the same tokens). Tests of every
// engine compare against them.
var (
	KnownPrompt     = []int32{50256, 464, 3139, 7586, 21831}
	KnownLogitsHead = []float32{0.19279650, -0.56649631, -0.92196757, -0.94213420, -0.01688891, 0.26313311, 0.53423566, 0.79690409}
	KnownGreedy     = []int32{49039, 4997, 39995, 1982, 26601, 1426, 33793, 7339, 20439, 11729, 12506, 14252, 9828, 424, 33820, 27065}
)

package backendtest

import "math"

// testArgmax: the column of the largest value, the lowest on ties. Exact.
func testArgmax(e *env) {
	for c := range 32 {
		rows, cols := pick(e, 1, 2, 3), pick(e, 1, 2, 3, 17, 100, 513)
		vals := e.normal(rows*cols, 0, 1)
		for r := range rows {
			row := vals[r*cols : (r+1)*cols]
			switch c % 4 {
			case 1: // the maximum planted at up to three places
				top := pick[float32](e, 7, float32(math.Inf(1)))
				for range 1 + e.rng.IntN(3) {
					row[e.rng.IntN(cols)] = top
				}
			case 2: // a constant row
				for i := range row {
					row[i] = -3
				}
			case 3: // -Inf everywhere but one place
				for i := range row {
					row[i] = float32(math.Inf(-1))
				}
				row[e.rng.IntN(cols)] = -1e30
			}
		}
		t := e.f32("logits", rows, cols, vals)
		for r := range rows {
			row := vals[r*cols : (r+1)*cols]
			want := 0
			for i, v := range row {
				if v > row[want] {
					want = i
				}
			}
			got, err := e.b.Argmax(t, r)
			if err != nil {
				e.Fatalf("Argmax: %v", err)
			}
			if got != want {
				e.Errorf("[%d %d] case %d row %d: Argmax = %d, want %d (%g)", rows, cols, c%4, r, got, want, row[want])
			}
		}
	}
}

package tokenizer_test

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/tokenizer"
)

func Example() {
	tk, err := tokenizer.Default()
	if err != nil {
		panic(err)
	}
	ids := tk.Encode("<|endoftext|>def f():\n    return 1")
	fmt.Println(ids)

	// Stream the ids back to text, as a generation loop would.
	d := tokenizer.NewStreamDecoder(tk)
	for _, id := range ids[1:] {
		piece, err := d.Write(id)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%q ", piece)
	}
	fmt.Printf("%q\n", d.Flush())
	// Output:
	// [50256 4299 277 33529 198 50284 7783 352]
	// "def" " f" "():" "\n" "    " "return" " 1" ""
}

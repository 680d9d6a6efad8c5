package tokenizer

import "strings"

// cleanUpRules are Hugging Face's clean_up_tokenization_spaces replacements,
// applied one after another in this order.
var cleanUpRules = [][2]string{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
	{" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
}

// CleanUpSpaces removes the space before . ? ! , and before the contractions
// n't 'm 's 've 're, and turns " ' " into "'", as Hugging Face's decode does
// when clean_up_tokenization_spaces is set. It is cosmetic and lossy: Decode
// alone gives back the exact text.
func CleanUpSpaces(s string) string {
	for _, r := range cleanUpRules {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

package tokenizer

// Name and DataSHA256 identify this tokenizer's vocabulary; a converted
// model records them so a loader can tell a model made for another one.
const (
	Name       = "phi-2"
	DataSHA256 = dataSHA256
)

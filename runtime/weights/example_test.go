package weights_test

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/weights"
)

func ExampleParseConfig() {
	cfg, err := weights.ParseConfig([]byte(`{
		"model_type": "phi", "hidden_size": 2560, "num_attention_heads": 32,
		"num_hidden_layers": 32, "intermediate_size": 10240, "vocab_size": 51200,
		"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.4}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("head_dim", cfg.HeadDim, "rotary_dim", cfg.RotaryDim, "tensors", len(cfg.Expected()))

	_, err = weights.ParseConfig([]byte(`{"num_key_value_heads": 8}`))
	fmt.Println(err)
	// Output:
	// head_dim 80 rotary_dim 32 tensors 453
	// config.json: num_key_value_heads = 8: grouped-query attention is not supported (it must equal num_attention_heads = 32)
}

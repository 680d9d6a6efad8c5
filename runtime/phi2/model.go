// Package phi2 is the Phi-2 graph: configuration and weights in, logits out,
// on any backend. Prefill and decode share one forward pass (forward.go)
// over a batch of new tokens at absolute positions; the KV cache lives in a
// Session.
package phi2

import (
	"fmt"
	"math"

	"github.com/phi2web/phi2web/runtime/backend"
	"github.com/phi2web/phi2web/runtime/tensor"
	"github.com/phi2web/phi2web/runtime/weights"
)

// Model holds the immutable weights on a backend. Sessions made from it
// hold the mutable state.
type Model struct {
	Config weights.Config
	be     backend.Backend

	embed, lmWeight, lmBias backend.Tensor
	finalGamma, finalBeta   backend.Tensor
	layers                  []layer
	rope                    backend.Tensor // [MaxContext, RotaryDim]: cos then sin
	opts                    Options
	all                     []backend.Tensor // everything uploaded, for Close
}

type layer struct {
	lnGamma, lnBeta backend.Tensor
	q, qBias        backend.Tensor
	k, kBias        backend.Tensor
	v, vBias        backend.Tensor
	dense, denseB   backend.Tensor
	fc1, fc1Bias    backend.Tensor
	fc2, fc2Bias    backend.Tensor
}

// Options size the run state.
type Options struct {
	// MaxContext caps the KV cache (and the positions); 0 means the
	// config's max_position_embeddings.
	MaxContext int
	// MaxBatch is the number of tokens one forward step computes at once;
	// longer inputs run in chunks. 0 means 64.
	MaxBatch int
	// KVCache is the dtype of the KV cache: 0 or tensor.F32, or
	// tensor.F16, which halves its memory and the bandwidth attention
	// reads at a small loss of precision, or tensor.KVQ8 (8 bits, a
	// quarter of F32's memory) on a backend.KVAllocator.
	KVCache tensor.DType
}

// Load uploads the weights l provides to be, in the order l stores them.
// The backend stays owned by the caller.
func Load(l weights.Loader, be backend.Backend, o Options) (*Model, error) {
	if o.KVCache == 0 {
		o.KVCache = tensor.F32
	}
	if o.KVCache != tensor.F32 && o.KVCache != tensor.F16 && o.KVCache != tensor.KVQ8 {
		return nil, fmt.Errorf("KV cache dtype %s: want F32, F16 or KVQ8", o.KVCache)
	}
	if _, ok := be.(backend.KVAllocator); o.KVCache == tensor.KVQ8 && !ok {
		return nil, fmt.Errorf("the %s backend has no 8-bit KV cache; use an F16 or F32 cache (--kv-cache f16 or f32)", be.Name())
	}
	cfg := l.Config()
	if o.MaxContext <= 0 || o.MaxContext > cfg.MaxPositions {
		o.MaxContext = cfg.MaxPositions
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 64
	}
	m := &Model{Config: cfg, be: be, opts: o}
	byName := map[string]backend.Tensor{}
	err := eachUploaded(l, be, func(name string, t backend.Tensor) {
		m.all = append(m.all, t)
		byName[name] = t
	})
	if err == nil {
		err = m.assemble(byName)
	}
	if err == nil {
		table := RopeTable(o.MaxContext, cfg.RotaryDim, cfg.RopeTheta)
		m.rope, err = be.Upload("rope", tensor.F32, o.MaxContext, cfg.RotaryDim, f32Bytes(table))
		m.all = append(m.all, m.rope)
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// assemble takes the model's tensors by their checkpoint names.
func (m *Model) assemble(byName map[string]backend.Tensor) error {
	for _, s := range m.Config.Expected() {
		if byName[s.Name] == nil {
			return fmt.Errorf("missing tensor %s", s.Name)
		}
	}
	m.embed = byName["model.embed_tokens.weight"]
	for l := 0; l < m.Config.NumLayers; l++ {
		t := func(suffix string) backend.Tensor { return byName[fmt.Sprintf("model.layers.%d.%s", l, suffix)] }
		m.layers = append(m.layers, layer{
			lnGamma: t("input_layernorm.weight"), lnBeta: t("input_layernorm.bias"),
			q: t("self_attn.q_proj.weight"), qBias: t("self_attn.q_proj.bias"),
			k: t("self_attn.k_proj.weight"), kBias: t("self_attn.k_proj.bias"),
			v: t("self_attn.v_proj.weight"), vBias: t("self_attn.v_proj.bias"),
			dense: t("self_attn.dense.weight"), denseB: t("self_attn.dense.bias"),
			fc1: t("mlp.fc1.weight"), fc1Bias: t("mlp.fc1.bias"),
			fc2: t("mlp.fc2.weight"), fc2Bias: t("mlp.fc2.bias"),
		})
	}
	m.finalGamma = byName["model.final_layernorm.weight"]
	m.finalBeta = byName["model.final_layernorm.bias"]
	m.lmWeight = byName["lm_head.weight"]
	m.lmBias = byName["lm_head.bias"]
	return nil
}

// Close frees the weights on the backend.
func (m *Model) Close() {
	for _, t := range m.all {
		if t != nil {
			m.be.Free(t)
		}
	}
	m.all, m.layers = nil, nil
}

// Backend is the backend the model computes on.
func (m *Model) Backend() backend.Backend { return m.be }

// MaxContext is the number of positions a session can hold.
func (m *Model) MaxContext() int { return m.opts.MaxContext }

// KVCache is the dtype of its sessions' KV caches.
func (m *Model) KVCache() tensor.DType { return m.opts.KVCache }

// RopeTable builds the rotary table: row p holds cos θ_{p,i} for
// i < rotDim/2, then sin θ_{p,i}, with θ = float32(p)·inv_freq_i computed in
// float32 as the reference does, and cos/sin rounded from float64.
func RopeTable(positions, rotDim int, theta float64) []float32 {
	half := rotDim / 2
	inv := make([]float32, half)
	for i := range inv {
		exp := float32(2*i) / float32(rotDim)
		inv[i] = 1 / float32(math.Pow(theta, float64(exp)))
	}
	t := make([]float32, positions*rotDim)
	for p := 0; p < positions; p++ {
		row := t[p*rotDim : (p+1)*rotDim]
		for i, f := range inv {
			a := float64(float32(p) * f)
			row[i] = float32(math.Cos(a))
			row[half+i] = float32(math.Sin(a))
		}
	}
	return t
}

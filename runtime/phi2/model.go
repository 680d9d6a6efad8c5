// Package phi2 is the Phi-2 graph: configuration and weights in, logits out,
// on any backend. Prefill and decode share one forward pass over a batch of
// new tokens at absolute positions; the KV cache lives in a Session.
package phi2

import (
	"fmt"
	"math"
	"unsafe"

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
}

// Load uploads the checkpoint's weights to be. The backend stays owned by
// the caller.
func Load(ck *weights.Checkpoint, be backend.Backend, o Options) (*Model, error) {
	cfg := ck.Config()
	if o.MaxContext <= 0 || o.MaxContext > cfg.MaxPositions {
		o.MaxContext = cfg.MaxPositions
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 64
	}
	m := &Model{Config: cfg, be: be, opts: o}
	up := uploader{ck: ck, be: be}
	m.embed = up.matrix("model.embed_tokens.weight")
	for l := 0; l < cfg.NumLayers; l++ {
		p := fmt.Sprintf("model.layers.%d.", l)
		m.layers = append(m.layers, layer{
			lnGamma: up.vector(p + "input_layernorm.weight"),
			lnBeta:  up.vector(p + "input_layernorm.bias"),
			q:       up.matrix(p + "self_attn.q_proj.weight"),
			qBias:   up.vector(p + "self_attn.q_proj.bias"),
			k:       up.matrix(p + "self_attn.k_proj.weight"),
			kBias:   up.vector(p + "self_attn.k_proj.bias"),
			v:       up.matrix(p + "self_attn.v_proj.weight"),
			vBias:   up.vector(p + "self_attn.v_proj.bias"),
			dense:   up.matrix(p + "self_attn.dense.weight"),
			denseB:  up.vector(p + "self_attn.dense.bias"),
			fc1:     up.matrix(p + "mlp.fc1.weight"),
			fc1Bias: up.vector(p + "mlp.fc1.bias"),
			fc2:     up.matrix(p + "mlp.fc2.weight"),
			fc2Bias: up.vector(p + "mlp.fc2.bias"),
		})
	}
	m.finalGamma = up.vector("model.final_layernorm.weight")
	m.finalBeta = up.vector("model.final_layernorm.bias")
	m.lmWeight = up.matrix("lm_head.weight")
	m.lmBias = up.vector("lm_head.bias")
	table := RopeTable(o.MaxContext, cfg.RotaryDim, cfg.RopeTheta)
	m.rope = up.upload("rope", tensor.F32, o.MaxContext, cfg.RotaryDim, f32Bytes(table))
	if up.err != nil {
		m.Close()
		return nil, up.err
	}
	return m, nil
}

// Close frees the weights on the backend.
func (m *Model) Close() {
	free := func(ts ...backend.Tensor) {
		for _, t := range ts {
			if t != nil {
				m.be.Free(t)
			}
		}
	}
	free(m.embed, m.lmWeight, m.lmBias, m.finalGamma, m.finalBeta, m.rope)
	for _, l := range m.layers {
		free(l.lnGamma, l.lnBeta, l.q, l.qBias, l.k, l.kBias, l.v, l.vBias,
			l.dense, l.denseB, l.fc1, l.fc1Bias, l.fc2, l.fc2Bias)
	}
	m.layers = nil
}

// Backend is the backend the model computes on.
func (m *Model) Backend() backend.Backend { return m.be }

// MaxContext is the number of positions a session can hold.
func (m *Model) MaxContext() int { return m.opts.MaxContext }

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

// uploader reads tensors from a checkpoint and uploads them, keeping the
// first error so Load reads as a list.
type uploader struct {
	ck  *weights.Checkpoint
	be  backend.Backend
	buf []byte
	err error
}

// matrix uploads a 2-D weight in its stored dtype when the backend computes
// on it, widened to F32 otherwise.
func (u *uploader) matrix(name string) backend.Tensor {
	if u.err != nil {
		return nil
	}
	info, _ := u.ck.Info(name)
	rows, cols := info.Shape[0], info.Shape[1]
	dt := info.DType
	if !supports(u.be, dt) {
		f, err := u.ck.ReadF32(name)
		if err != nil {
			u.err = err
			return nil
		}
		return u.upload(name, tensor.F32, rows, cols, f32Bytes(f))
	}
	n := rows * cols * dt.Size()
	if cap(u.buf) < n {
		u.buf = make([]byte, n)
	}
	if err := u.ck.Read(name, u.buf[:n]); err != nil {
		u.err = err
		return nil
	}
	return u.upload(name, dt, rows, cols, u.buf[:n])
}

// vector uploads a 1-D tensor as an F32 row.
func (u *uploader) vector(name string) backend.Tensor {
	if u.err != nil {
		return nil
	}
	f, err := u.ck.ReadF32(name)
	if err != nil {
		u.err = err
		return nil
	}
	return u.upload(name, tensor.F32, 1, len(f), f32Bytes(f))
}

func (u *uploader) upload(name string, dt tensor.DType, rows, cols int, data []byte) backend.Tensor {
	if u.err != nil {
		return nil
	}
	t, err := u.be.Upload(name, dt, rows, cols, data)
	if err != nil {
		u.err = fmt.Errorf("upload %s: %w", name, err)
	}
	return t
}

func supports(be backend.Backend, dt tensor.DType) bool {
	for _, d := range be.WeightTypes() {
		if d == dt {
			return true
		}
	}
	return false
}

// f32Bytes views float32 values as their little-endian bytes (every target
// of this project is little-endian).
func f32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}

package weights

import (
	"encoding/json"
	"fmt"
)

// rope reads rope_theta and partial_rotary_factor. Older configs keep them
// at top level; newer transformers releases put them in rope_parameters.
// Both places are accepted, but they must agree when both are present.
// RoPE scaling of any kind other than "default" is rejected.
func (k *configKeys) rope() (theta, factor float64) {
	if raw, ok := k.raw["rope_scaling"]; ok && string(raw) != "null" {
		k.checkRopeType("rope_scaling", raw, true)
	}
	params := make(map[string]json.RawMessage)
	if raw, ok := k.raw["rope_parameters"]; ok && string(raw) != "null" {
		if err := eachMember(raw, func(key string, v json.RawMessage) error {
			params[key] = v
			return nil
		}); err != nil && k.err == nil {
			k.err = fmt.Errorf("rope_parameters: %v", err)
		}
		k.checkRopeType("rope_parameters", raw, false)
	}
	theta = k.ropeValue("rope_theta", params, 10000)
	factor = k.ropeValue("partial_rotary_factor", params, 0.5)
	return theta, factor
}

// ropeValue reads key from the top level or from rope_parameters.
func (k *configKeys) ropeValue(key string, params map[string]json.RawMessage, def float64) float64 {
	top, inTop := k.raw[key]
	nested, inNested := params[key]
	switch {
	case inTop && inNested:
		a, b := k.floatValue(key, top), k.floatValue("rope_parameters."+key, nested)
		if a != b && k.err == nil {
			k.err = fmt.Errorf("%s = %v at top level but %v in rope_parameters", key, a, b)
		}
		return a
	case inTop:
		return k.floatValue(key, top)
	case inNested:
		return k.floatValue("rope_parameters."+key, nested)
	}
	return def
}

// checkRopeType accepts an object whose rope_type (or legacy "type") is
// "default": plain RoPE, the only kind Phi-2 uses. The type may be left out
// only where needType is false (rope_parameters, whose default is plain).
func (k *configKeys) checkRopeType(key string, raw json.RawMessage, needType bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		k.fail(key, raw, "an object or null")
		return
	}
	typed := false
	for _, field := range []string{"rope_type", "type"} {
		v, ok := obj[field]
		typed = typed || ok
		if ok && string(v) != `"default"` && k.err == nil {
			k.err = fmt.Errorf("%s.%s = %s: only \"default\" RoPE is supported (no scaling)", key, field, clip(v))
		}
	}
	if needType && !typed && k.err == nil {
		k.err = fmt.Errorf("%s = %s: RoPE scaling is not supported", key, clip(raw))
	}
}

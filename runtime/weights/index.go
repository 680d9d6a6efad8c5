package weights

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// loadShards reads model.safetensors.index.json: its weight_map names the
// shard of every tensor. Each shard is opened and its header parsed once.
// The index and the shards must agree exactly (rotary buffers aside).
func (c *Checkpoint) loadShards(src Source, index []byte) error {
	weightMap := make(map[string]string)
	found := false
	err := eachMember(index, func(key string, raw json.RawMessage) error {
		if key != "weight_map" {
			return nil
		}
		found = true
		return eachMember(raw, func(name string, v json.RawMessage) error {
			var shard string
			if v[0] != '"' || json.Unmarshal(v, &shard) != nil {
				return fmt.Errorf("weight_map: tensor %s maps to %s, want a file name", showName(name), clip(v))
			}
			if err := checkShardName(shard); err != nil {
				return fmt.Errorf("weight_map: tensor %s: %v", showName(name), err)
			}
			weightMap[name] = shard
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("%s: %v", IndexFile, err)
	}
	if !found {
		return fmt.Errorf("%s: missing weight_map", IndexFile)
	}

	shards := slices.Sorted(maps.Values(weightMap))
	shards = slices.Compact(shards)
	for _, shard := range shards {
		f, err := src.Open(shard)
		if err != nil {
			return fmt.Errorf("%s: shard %s: %w", IndexFile, shard, err)
		}
		c.files[shard] = f
		h, err := ParseHeader(shard, f)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(h.Tensors)) {
			owner, listed := weightMap[name]
			switch {
			case ignored(name):
				continue
			case !listed:
				return fmt.Errorf("%s: tensor %s is not listed in %s", shard, showName(name), IndexFile)
			case owner != shard:
				return fmt.Errorf("%s: tensor %s is also stored here, but %s places it in %s",
					shard, showName(name), IndexFile, owner)
			}
			c.tensors[name] = h.Tensors[name]
		}
	}
	for _, name := range slices.Sorted(maps.Keys(weightMap)) {
		if _, ok := c.tensors[name]; !ok && !ignored(name) {
			return fmt.Errorf("%s: tensor %s is listed for shard %s, which does not hold it",
				IndexFile, showName(name), weightMap[name])
		}
	}
	return nil
}

// checkShardName keeps shard names inside the model directory.
func checkShardName(name string) error {
	if name == "" || name == "." || strings.Contains(name, "..") ||
		strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("shard file name %s: must be a plain file name in the model directory", showName(name))
	}
	return nil
}

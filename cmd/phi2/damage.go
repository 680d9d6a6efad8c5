package main

import (
	"fmt"

	"github.com/phi2web/phi2web/runtime/store"
)

// damageStored flips one byte in the middle of the stored decoded bytes of
// shard of model, keeping the shard's verified mark, as a failing disk
// could: PHI2_STORE_DAMAGE=<shard file> does it before a load, for tests
// of the check that guards stored shards.
func damageStored(st store.Store, model, shard string) error {
	name := store.RawShard(shard)
	size, err := st.ShardSize(model, name)
	if err != nil {
		return err
	}
	if size == 0 {
		return fmt.Errorf("PHI2_STORE_DAMAGE: %s of %s is not stored", name, model)
	}
	data := make([]byte, size)
	for n := 0; n < len(data); {
		k, err := st.ReadShard(model, name, int64(n), data[n:])
		if k == 0 && err != nil {
			return err
		}
		n += k
	}
	data[len(data)/2] ^= 0x20
	for _, err := range []error{st.DeleteShard(model, name), st.AppendShard(model, name, 0, data), st.SetVerified(model, name, true)} {
		if err != nil {
			return fmt.Errorf("PHI2_STORE_DAMAGE: %v", err)
		}
	}
	return nil
}

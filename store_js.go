package phi2web

import (
	"context"

	"github.com/phi2web/phi2web/browser/idb"
	"github.com/phi2web/phi2web/runtime/store"
)

// storeName is the IndexedDB database of stored models, shared by every
// page of a site and the chromium engine's page.
const storeName = "phi2web-models"

// OpenStore opens the platform's model store, IndexedDB, asking the
// browser to keep it (navigator.storage.persist).
func OpenStore(ctx context.Context) (store.Store, func(), error) {
	db, err := idb.Open(ctx, storeName)
	if err != nil {
		return nil, nil, err
	}
	idb.Persist()
	return db, db.Close, nil
}

// lockModel holds the Web Lock of a model's download: one page or worker
// of a site fetches while the others wait.
func lockModel(ctx context.Context, key string) (func(), error) {
	return idb.Lock(ctx, "phi2web download "+key)
}

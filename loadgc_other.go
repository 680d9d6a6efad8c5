//go:build !js

package phi2web

// loadGCPercent: elsewhere (natively, a wazero guest) the default target
// measured no higher peak and a faster load, so it stays as it is.
var loadGCPercent = 0

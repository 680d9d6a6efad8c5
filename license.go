package phi2web

import _ "embed"

// License is the project's license (LICENSE, MIT), for what ships it
// apart from the source: the npm package.
//
//go:embed LICENSE
var License []byte

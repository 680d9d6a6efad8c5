package web

import "embed"

// Static holds the site's own files: index.html, demo.js, demo.css, sw.js,
// phi2.js, phi2.d.ts, phi2-chat.js, phi2-worker.js and kernels.js. The
// pattern matches every .html, .js, .css and .ts file beside this one; it
// always matches kernels.js, so the build does not depend on which of the
// others exist.
//
//go:embed *.[hjct]*
var Static embed.FS

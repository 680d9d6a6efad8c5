module github.com/phi2web/phi2web

go 1.26

require (
	github.com/andybalholm/brotli v1.2.0
	github.com/cogentcore/webgpu v0.23.0
	github.com/hack-pad/safejs v0.1.0
	github.com/tetratelabs/wazero v1.12.0
)

require golang.org/x/sys v0.44.0 // indirect

module github.com/phi2web/phi2web

go 1.26

require github.com/andybalholm/brotli v1.2.0

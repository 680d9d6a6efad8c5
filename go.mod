module github.com/phi2web/phi2web

go 1.26

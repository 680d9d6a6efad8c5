//go:build !wasm

package main

import (
	"fmt"
	"io"

	"github.com/phi2web/phi2web"
	"github.com/phi2web/phi2web/web"
)

// runDist writes the site `phi2 serve` serves into a folder, for a static
// file server to host: the demo page, the JS module and <phi2-chat>, the
// engine, the kernels and the default model at models/default/ (where
// Phi2.defaultModel points), and --model at models/local/. With --npm it
// writes the folder of the npm package phi2web instead, for `npm pack`.
func runDist(args []string, stdout io.Writer) error {
	fs := newFlags("dist")
	out := fs.String("out", "", "folder to write the site into (it must not exist or be empty)")
	model := fs.String("model", "", "a converted model directory or a Hugging Face directory, written to models/local/")
	npm := fs.Bool("npm", false, "write the npm package phi2web (the modules, the engine, the default model) instead of the site")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageErr("--out is required")
	}
	if *npm && *model != "" {
		return usageErr("--model has no place in the npm package: give a model's URL to Phi2.load")
	}
	o, err := siteOptions(*model)
	if err != nil {
		return err
	}
	site, err := web.NewSite(o)
	if err != nil {
		return err
	}
	defer site.Close()
	write := site.WriteDir
	if *npm {
		write = func(dir string) error { return site.WritePackage(dir, phi2web.License) }
	}
	if err := write(*out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "{\"out\":%q}\n", *out)
	return err
}

// siteOptions are the files of the site serve and dist make: the page's
// engine built beside this command, wasm_exec.js, the default model at
// models/default/ and model (if not "") at models/local/.
func siteOptions(model string) (web.SiteOptions, error) {
	if model != "" {
		if err := checkModelDir(model); err != nil {
			return web.SiteOptions{}, err
		}
	}
	wasm, err := webModule()
	if err != nil {
		return web.SiteOptions{}, err
	}
	wasmExec, err := wasmExecBeside(wasm)
	if err != nil {
		return web.SiteOptions{}, err
	}
	def, err := defaultModelDir()
	if err != nil {
		return web.SiteOptions{}, err
	}
	models := []web.Model{{Name: "default", Title: web.DefaultModelName + " (default)", Path: def, Description: defaultModelDescription}}
	if model != "" {
		models = append(models, web.Model{Name: "local", Path: model, Description: "--model " + model})
	}
	return web.SiteOptions{Wasm: wasm, WasmExec: wasmExec, Models: models}, nil
}

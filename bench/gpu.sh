#!/bin/sh
# gpu.sh takes the WebGPU decode figure of the Phi-2 shape (q4 weights) in
# headless Chromium on a machine with a GPU, in one run:
#
#   bench/gpu.sh            # prints one `phi2 bench` JSON line, also kept in build/gpu-bench.jsonl
#
# It needs Chromium (PHI2_CHROMIUM, or chromium on PATH), a Vulkan driver
# for the GPU, ~12 GB of disk for the synthetic model (made once under
# build/bench) and either build/phi2 with build/phi2-js.wasm (make build)
# or Go to build them. A figure from Chromium's software adapter is refused:
# the GPU must be the one that computes.
set -eu
cd "$(dirname "$0")/.."

if [ ! -x build/phi2 ] || [ ! -f build/phi2-js.wasm ]; then
	command -v go >/dev/null || { echo "gpu.sh: build/phi2 and build/phi2-js.wasm are missing and there is no Go to build them (make build)" >&2; exit 1; }
	make build
fi
browser=${PHI2_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
	echo "gpu.sh: no Chromium: install Debian's chromium or set PHI2_CHROMIUM" >&2
	exit 1
fi
export PHI2_CHROMIUM="$browser"
command -v nvidia-smi >/dev/null && nvidia-smi -L >&2 || echo "gpu.sh: nvidia-smi not found; going on" >&2

# Chromium's WebGPU on Linux runs on Vulkan; these flags let it use the GPU
# headless (--enable-unsafe-webgpu is always passed by the runner).
export PHI2_CHROMIUM_FLAGS="--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan --use-angle=vulkan --use-vulkan=native --ignore-gpu-blocklist --disable-vulkan-surface ${PHI2_CHROMIUM_FLAGS:-}"

mkdir -p build
build/phi2 bench --engine chromium --backend webgpu --quant q4 --prompt-tokens 128 --decode-tokens 64 |
	tee build/gpu-bench.jsonl
if grep -q '"device":"[^"]*(software)' build/gpu-bench.jsonl || ! grep -q '"backend":"webgpu"' build/gpu-bench.jsonl; then
	echo "gpu.sh: Chromium did not compute on the GPU (software adapter or no WebGPU); check the Vulkan driver" >&2
	exit 2
fi

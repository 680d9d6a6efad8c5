#!/bin/sh
# prepare.sh builds, here, everything a lent GPU machine (no Go, no network,
# no package registry; see the device tool's README) needs to measure the
# WebGPU backend natively, and says what travels:
#
#   bench/gpu/prepare.sh      # writes build/gpu/ and .gl/, prints their size
#
# build/gpu/phi2.gz      the native phi2 (cgo, wgpu-native), gzipped
# build/gpu/webgpu.test.gz  the WebGPU package's tests (conformance, goldens, profile)
# .gl/*.deb              the Vulkan loader (libvulkan1), unpacked there by run.sh
#
# Then, on the GPU machine, from the repository's root, with build/gpu and
# .gl carried: sh bench/gpu/run.sh (writes its figures and log under $OUT).
set -eu
cd "$(dirname "$0")/../.."
mkdir -p build/gpu
go build -trimpath -ldflags=-s -o build/gpu/phi2 ./cmd/phi2
go test -c -trimpath -ldflags=-s -o build/gpu/webgpu.test ./webgpu
gzip -9 -f build/gpu/phi2 build/gpu/webgpu.test

# The Vulkan loader, as the device README says; its ICD (NVIDIA's) is on
# the machine.
exclude=$(git rev-parse --git-common-dir)/info/exclude
mkdir -p "$(dirname "$exclude")"
grep -qx '/.gl/' "$exclude" 2>/dev/null || echo /.gl/ >>"$exclude"
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
	mkdir -p .gl /tmp/amd64/partial
	o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
	apt-get $o update -q >/dev/null
	(cd .gl && apt-get $o download libvulkan1)
fi

tree=$(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)
kit=$(du -cb build/gpu/*.gz .gl/*.deb | tail -1 | cut -f1)
echo "carry build/gpu and .gl: $((kit / 1048576)) MiB, with the working tree ($((tree / 1048576)) MiB): $(((kit + tree) / 1048576)) MiB of the 64 MiB allowed"
[ $((kit + tree)) -le $((64 * 1048576)) ] || { echo "prepare.sh: over the 64 MiB a call carries" >&2; exit 1; }

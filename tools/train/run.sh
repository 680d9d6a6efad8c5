#!/bin/sh
# Build the phi-nano corpus, train, export the HF checkpoint and check it against the engine.
#
#   tools/train/run.sh OUTDIR        (env: STEPS to override the step count, SEED, default 1)
#
# Writes OUTDIR/corpus (train.u16, heldout.u16, corpus.json) and OUTDIR/hf (config.json,
# model.safetensors, training.json). Fails if the engine's logits differ from torch's.
set -eu
out=${1:?usage: tools/train/run.sh OUTDIR}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
out=$(cd "$out" && pwd)

go run ./tools/train/corpus -goroot "$(go env GOROOT)" -out "$out/corpus"

# Debian's torch calls the system libblas.so.3, by default the reference BLAS (about 5
# GFLOPS). Use OpenBLAS from its Debian package, unpacked here, without installing it.
deb=libopenblas0-openmp_0.3.21+ds-4_amd64.deb
blas=$out/blas/usr/lib/x86_64-linux-gnu/openblas-openmp
if [ ! -e "$blas/libblas.so.3" ]; then
	(cd "$out" && { [ -e "$deb" ] || apt-get download libopenblas0-openmp=0.3.21+ds-4; } && dpkg-deb -x "$deb" blas)
fi
# One OpenBLAS kernel on every x86-64 CPU, so results do not depend on the CPU model.
export LD_LIBRARY_PATH="$blas" OPENBLAS_CORETYPE=Haswell OMP_NUM_THREADS=2

[ -x build/phi2 ] || make build
/usr/bin/python3 tools/train/train.py --data "$out/corpus" --out "$out/hf" \
	--seed "${SEED:-1}" ${STEPS:+--steps "$STEPS"}
/usr/bin/python3 tools/train/check.py --model "$out/hf" --data "$out/corpus" --phi2 build/phi2

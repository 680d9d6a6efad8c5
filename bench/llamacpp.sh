#!/bin/sh
# The CPU figures of phi2 (Chromium and wazero, wasm SIMD, 1 and 2 threads)
# and of llama.cpp on the same synthetic Phi-2-shape weights, one after the
# other, as a table with each result's ratio to llama.cpp at equal threads.
#
#   LLAMA_BENCH=/path/to/llama-bench bench/llamacpp.sh [EXTRA phi2 bench FLAGS…]
#
# llama-bench comes from llama.cpp's source, built natively:
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF
#   cmake --build build --target llama-bench
# The weights: the converted q4 model `phi2 bench` makes under build/bench,
# written once more as a GGUF file (every matrix Q4_0) by `phi2 convert`.
# Run it on a quiet machine: every figure is a rate.
set -eu
: "${LLAMA_BENCH:?set LLAMA_BENCH to a llama-bench binary}"
phi2=${PHI2:-build/phi2}
dir=build/bench
model=$dir/phi2-L32-q4
out=$dir/llamacpp
mkdir -p "$out"
: >"$out/phi2.jsonl"
for run in "chromium 1" "chromium 2" "wazero 1" "wazero 2"; do
	set -- $run "$@"
	engine=$1 threads=$2
	shift 2
	echo "phi2 bench --engine $engine --backend simd --threads $threads $*" >&2
	"$phi2" bench --engine "$engine" --backend simd --quant q4 --threads "$threads" --quiet "$@" | tee -a "$out/phi2.jsonl"
done
[ -e "$model.gguf" ] || "$phi2" convert --in "$model" --out "$model.gguf" --quant q4 --quiet >&2
echo "llama-bench -p 128 -n 64 -t 1,2" >&2
"$LLAMA_BENCH" -m "$model.gguf" -p 128 -n 64 -t 1,2 -o jsonl | tee "$out/llamacpp.jsonl"
go run ./bench/table -peer "$out/llamacpp.jsonl" <"$out/phi2.jsonl"

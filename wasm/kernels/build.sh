#!/bin/sh
# Assembles kernels.wasm from the *.wat sources: the module header below,
# then the sources in the order listed, then the closing parenthesis. Each
# source holds module fields only (functions and their exports).
#
# Usage: sh build.sh [output]   (default: kernels.wasm beside this script)
# Needs wat2wasm from wabt 1.0.32 (Debian: apt-get install wabt); other
# versions may encode the same module differently.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
out=${1:-$dir/kernels.wasm}
sources="common.wat matmul.wat quant.wat matmul_q8.wat matmul_q4.wat embed.wat elementwise.wat attention.wat"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wat=$tmp/kernels.wat
map=""
{
	echo '(module'
	echo '  (import "env" "memory" (memory 1 65536 shared))'
} >"$wat"
for s in $sources; do
	map="$map $s:$(($(wc -l <"$wat") + 1))"
	cat "$dir/$s" >>"$wat"
done
echo ')' >>"$wat"
if ! wat2wasm --enable-threads -o "$out" "$wat"; then
	echo "build.sh: line numbers above are in the concatenation; sources start at:$map" >&2
	exit 1
fi

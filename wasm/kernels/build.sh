#!/bin/sh
# Assembles the kernel modules from the *.wat sources: the module header
# below, then the sources in the order listed, then the closing
# parenthesis. Each source holds module fields only (functions and their
# exports). The Q8 and Q4 matmuls and attention's value sums are generated
# by gen_matmul_q.py and gen_attention_values.py (python3) into a temporary
# directory first, as is features.wat, the one kernel that differs by module.
# Two modules come out, with the same exports:
# kernels.wasm (WebAssembly SIMD) and kernels-relaxed.wasm, whose Q4 matmul
# uses relaxed SIMD's int8 dot products (for runtimes that have them).
#
# Usage: sh build.sh [directory]   (default: the one holding this script)
# Needs python3 and wat2wasm from wabt 1.0.32 (Debian: apt-get install wabt); other
# versions may encode the same module differently.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$dir}
sources="common.wat matmul.wat quant.wat matmul_q8.wat matmul_q4.wat embed.wat layernorm.wat elementwise.wat rope.wat copy.wat argmax.wat attention.wat attention_f16.wat attention_values.wat kvq8.wat features.wat"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# assemble OUT [relaxed]
assemble() {
	gen=$tmp/gen
	rm -rf "$gen" && mkdir "$gen"
	python3 "$dir/gen_matmul_q.py" "$gen" ${2:-}
	python3 "$dir/gen_attention_values.py" "$gen"
	relaxed=0
	[ "${2:-}" = relaxed ] && relaxed=1
	cat >"$gen/features.wat" <<-END
	  ;; features(out): stores at out the module's feature bits (1: relaxed SIMD).
	  (func \$features (export "features") (param \$out i32)
	    (i32.store (local.get \$out) (i32.const $relaxed)))
	END
	wat=$tmp/kernels.wat
	map=""
	{
		echo '(module'
		echo '  (import "env" "memory" (memory 1 65536 shared))'
	} >"$wat"
	for s in $sources; do
		map="$map $s:$(($(wc -l <"$wat") + 1))"
		src=$dir/$s
		[ -e "$gen/$s" ] && src=$gen/$s
		cat "$src" >>"$wat"
	done
	echo ')' >>"$wat"
	features=--enable-threads
	[ "${2:-}" = relaxed ] && features="$features --enable-relaxed-simd"
	if ! wat2wasm $features -o "$1" "$wat"; then
		echo "build.sh: $1: line numbers above are in the concatenation; sources start at:$map" >&2
		exit 1
	fi
}

assemble "$outdir/kernels.wasm"
assemble "$outdir/kernels-relaxed.wasm" relaxed

#!/bin/sh
# Held-out perplexity of a model on every engine/backend pair at f32, q8 and q4
# (quantized while loading), as a markdown table. Defaults: the default model
# (phi-nano) and text/tabwriter/tabwriter.go, a package held out of its training.
#
#   bench/perplexity.sh [FILE [MODEL]]      (after `make build`; PHI2 names the command)
set -eu
file=${1:-$(go env GOROOT)/src/text/tabwriter/tabwriter.go}
model=${2:-}
phi2=${PHI2:-build/phi2}
field() { sed "s/.*\"$1\":\([0-9.e+-]*\).*/\1/"; }
echo "| engine | backend | f32 | q8 | q4 |"
echo "|---|---|---|---|---|"
for pair in native:cpu wazero:simd wazero:cpu chromium:webgpu chromium:simd; do
	engine=${pair%%:*} backend=${pair#*:}
	row="| $engine | $backend |"
	for quant in f32 q8 q4; do
		out=$("$phi2" perplexity ${model:+--model "$model"} --file "$file" --engine "$engine" --backend "$backend" --quant "$quant")
		row="$row $(echo "$out" | field perplexity | xargs printf %.4f) |"
		tokens=$(echo "$out" | field tokens)
	done
	echo "$row"
done
echo
echo "$tokens tokens of $file"

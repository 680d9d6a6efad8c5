#!/bin/sh
# run.sh takes every native WebGPU figure on the GPU machine in one go
# (bench/gpu/prepare.sh made what it needs here): the goldens and the
# conformance suite on that GPU, phi2 bench of the Phi-2 shape in q4, q8
# and f16 (prompt 128; decode at context 128 and 2048; GPU time per kernel
# from timestamp queries), and PyTorch eager float16 on the same GPU as the
# anchor. Results and the log go to $OUT (build/gpu/out when unset).
#
#   sh bench/gpu/run.sh            # SHAPE=tiny for a dry run on any adapter
set -u
cd "$(dirname "$0")/../.."
out=${OUT:-build/gpu/out}
mkdir -p "$out"
exec 3>&1 >"$out/log.txt" 2>&1
shape=${SHAPE:-phi2}
set -x
if ! ldconfig -p | grep -q libvulkan.so.1; then # bring the loader
	for f in .gl/*.deb; do dpkg -x "$f" /; done
	ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
command -v nvidia-smi >/dev/null && nvidia-smi -L
gunzip -kf build/gpu/phi2.gz build/gpu/webgpu.test.gz
chmod +x build/gpu/phi2 build/gpu/webgpu.test
phi2=$PWD/build/gpu/phi2

# 1. Correctness on this GPU: the goldens, the conformance suite, one
#    submission per token, the self-test and the profile.
(cd webgpu && timeout 300 ../build/gpu/webgpu.test -test.v \
	-test.run 'TestGoldens|TestConformance$|TestOneSubmissionPerToken|TestSelfTestPasses|TestProfile|TestKnownValues') \
	>"$out/goldens.txt" 2>&1
echo "goldens: exit $?"

# 2. Speed: the synthetic model of the shape, quantized while loading.
cache=/tmp/phi2-bench
for q in q4 q8 f16; do
	timeout 240 "$phi2" bench --engine native --backend webgpu --shape "$shape" --quant "$q" --convert=false \
		--cache "$cache" --prompt-tokens 128 --decode-tokens 32 --profile >>"$out/bench.jsonl"
	echo "bench $q: exit $?"
done

# 3. The anchor: Hugging Face transformers' PhiForCausalLM, random weights
#    of the same shape, float16, eager, greedy.
PYTHONUNBUFFERED=1 timeout 240 python3 bench/gpu/anchor.py --shape "$shape" >"$out/anchor.json"
echo "anchor: exit $?"

set +x
{
	grep -E '^(--- (PASS|FAIL)|ok|FAIL|panic)' "$out/goldens.txt"
	cat "$out/bench.jsonl" "$out/anchor.json"
} >&3

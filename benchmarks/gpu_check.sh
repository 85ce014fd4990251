#!/usr/bin/env bash
# GPU check of actbook.kernels (issue 6), for a fresh machine with one NVIDIA GPU.
#
#   OUT=/some/folder bash benchmarks/gpu_check.sh        # from the repository root
#
# 1. finds a Python with CUDA-enabled torch (tries `pip install torch` if there is none),
# 2. runs the CUDA tests of tests/test_kernels.py,
# 3. benchmarks SwiGLU in bfloat16 at 512/2048/8192 x 14336 (Mistral 7B's d_ff), then the other
#    ops at 8192 x 14336, and checks the targets (python -m actbook.bench.targets).
# Everything it prints is also in $OUT/gpu_check.log; results are $OUT/gpu_bfloat16*.json/.md
# (copy them to benchmarks/results/). Each step has a timeout; the whole script fits ~8 minutes
# when torch is already installed (the last benchmark runs only with time left). Steps after
# a failure still run, so that one log shows everything.
set -uo pipefail
OUT="${OUT:-benchmarks/results/gpu}"
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
set -x
PY="${PYTHON:-$(command -v python3 || command -v python)}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export TORCHINDUCTOR_CACHE_DIR="${TMPDIR:-/tmp}/actbook_inductor"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "no nvidia-smi"
"$PY" --version
if ! timeout 60 "$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available()); assert torch.cuda.is_available()"; then
    echo "== no torch with CUDA: trying pip install torch"
    timeout 300 "$PY" -m pip install --quiet torch || echo "== pip install torch FAILED (no registry access?)"
    timeout 60 "$PY" -c "import torch; assert torch.cuda.is_available(); print('torch', torch.__version__)" \
        || { echo "== GIVING UP: torch with CUDA is not available"; exit 2; }
fi
timeout 30 "$PY" -c "import triton; print('triton', triton.__version__)" || echo "== no triton: kernels will fall back to eager"
for module in tqdm pytest numpy; do
    timeout 30 "$PY" -c "import $module" 2>/dev/null || timeout 120 "$PY" -m pip install --quiet "$module" \
        || echo "== could not install $module"
done

# Correctness on the GPU: forward and gradients against the eager reference, saved tensors,
# no recompilation when the batch size changes.
timeout 180 "$PY" -m pytest -q -p no:cacheprovider tests/test_kernels.py -k cuda -rs
echo "== pytest exit status $?"

# The targets: SwiGLU at 8192x14336 bfloat16 (and smaller sizes for the bandwidth-vs-size plot).
timeout 120 "$PY" -m actbook.bench --device cuda --dtype bfloat16 \
    --shape 8192x14336,2048x14336,512x14336 --ops swiglu --repeats 50 --warmup 5 --no-progress \
    --out "$OUT/gpu_bfloat16"
timeout 60 "$PY" -m actbook.bench.targets "$OUT/gpu_bfloat16.json"
# Forward and backward of the kernels against the same functions compiled fully static and
# fully dynamic, with the Triton code of each: $OUT/gpu_diag.json.
timeout 240 "$PY" benchmarks/gpu_diag.py --out "$OUT/gpu_diag.json"

# The other ops, for the appendix: only with time left (about 8 minutes in all).
LEFT=$((480 - SECONDS))
if [ "$LEFT" -gt 60 ]; then
    timeout "$LEFT" "$PY" -m actbook.bench --device cuda --dtype bfloat16 --shape 8192x14336 \
        --ops geglu,geglu_tanh,reglu,glu,bilinear,squared_relu,star_relu --repeats 30 \
        --warmup 5 --no-progress --out "$OUT/gpu_bfloat16_ops"
else
    echo "== skipped the other ops: ${SECONDS}s used"
fi
echo "== done"
ls -l "$OUT"

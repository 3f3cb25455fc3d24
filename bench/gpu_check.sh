#!/usr/bin/env bash
# The GPU check (bench/gpu_check.py): run it whenever a GPU is at hand, from the repository
# root with the project's requirements installed. Within 8 minutes on one GPU it measures the
# paper recipe in fp32 and bf16, torch.compile, data-parallel training (two or more GPUs),
# the supervised ceiling and the clear failures, and writes the `gpu` rows of
# docs/benchmarks.md. `bash bench/gpu_check.sh --device cpu --tiny` checks the script itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
python -c "import torch; print('torch', torch.__version__, 'CUDA build', torch.version.cuda, 'available', torch.cuda.is_available())"
cd bench
timeout 480 python gpu_check.py "$@"

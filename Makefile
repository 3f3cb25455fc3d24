# Common entry points. `make demo` runs the synthetic reef demo end to end; `make test` the tests.
PY ?= python
CORES ?= 2
BENCH_DIR ?= /tmp/reefclr-bench

.PHONY: demo report test test-fast lint format dag bench clean envs

demo:
	$(PY) -m snakemake --cores $(CORES)
	$(PY) -m snakemake --report results/report.html

test:
	$(PY) -m pytest -q

# Unit tests, dry runs, lint: everything but the real Snakemake runs (`slow`).
test-fast:
	$(PY) -m pytest -q -m "not slow"

# After changing a direct pin of requirements.txt and installing it: lock what it brings, regenerate envs/*.yaml.
envs:
	$(PY) envs/lock.py lock
	$(PY) envs/lock.py envs
	$(PY) envs/lock.py resolve

lint:
	$(PY) -m snakemake --lint
	snakefmt --check Snakefile rules

format:
	snakefmt Snakefile rules

# Regenerates every generated table of docs/benchmarks.md (about 30 min on 2 cores, 8 GiB for bench/search.py).
bench: demo
	rm -rf $(BENCH_DIR)
	$(PY) bench/input_pipeline.py $(BENCH_DIR)/input
	$(PY) bench/training.py $(BENCH_DIR)/training
	$(PY) bench/extraction.py $(BENCH_DIR)/extraction
	$(PY) bench/cache_memory.py
	$(PY) bench/workflow.py $(BENCH_DIR)/workflow
	$(PY) bench/explorer.py $(BENCH_DIR)/explorer
	$(PY) bench/search.py
	$(PY) bench/deploy.py $(BENCH_DIR)/deploy
	$(PY) bench/interval_coverage.py
	$(PY) bench/density_coverage.py
	$(PY) bench/precision_coverage.py

dag:
	$(PY) -m snakemake --quiet --rulegraph mermaid-js > docs/rulegraph.mmd

clean:
	rm -rf results/* resources/demo logs benchmarks .snakemake

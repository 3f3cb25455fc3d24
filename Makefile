# Common entry points. `make demo` runs the synthetic reef demo end to end; `make test` the tests.
PY ?= python
CORES ?= 2

.PHONY: demo report test lint format dag clean

demo:
	$(PY) -m snakemake --cores $(CORES)
	$(PY) -m snakemake --report results/report.html

test:
	$(PY) -m pytest -q

lint:
	$(PY) -m snakemake --lint
	snakefmt --check Snakefile rules

format:
	snakefmt Snakefile rules

dag:
	$(PY) -m snakemake --quiet --rulegraph mermaid-js > docs/rulegraph.mmd

clean:
	rm -rf results/* resources/demo logs benchmarks .snakemake

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
	$(PY) -m snakemake --rulegraph | dot -Tsvg > docs/rulegraph.svg

clean:
	rm -rf results/* resources/demo logs benchmarks .snakemake

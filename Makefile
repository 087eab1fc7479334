# The two commands of the README's quickstart: `make demo` and `make test`.
# Each creates its own virtual environment, so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= demo-data
VIEWS  ?= demo-views

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	rm -rf $(STORE)
	$(BIN)/luocdo --store $(STORE) ingest examples/corpus
	@echo; echo "== Where does the school's digital-transformation task come from?"
	$(BIN)/luocdo --store $(STORE) trace 45/KH-THCS 6 --delegation
	@echo; echo "== SPARQL: the documents of Bộ Giáo dục và Đào tạo"
	$(BIN)/luocdo --store $(STORE) query documents-by-issuer --param "issuer=Bộ Giáo dục và Đào tạo"
	@echo; echo "== HTML views (open them in a browser; they need no network):"
	@mkdir -p $(VIEWS)
	$(BIN)/luocdo --store $(STORE) view doc 1587/SGDĐT-VP -o $(VIEWS)/doc-1587-sgddt-vp.html
	$(BIN)/luocdo --store $(STORE) view trace 45/KH-THCS 6 -o $(VIEWS)/trace-45-kh-thcs-6.html
	$(BIN)/luocdo --store $(STORE) view body "Sở Giáo dục và Đào tạo tỉnh Hải Dương" -o $(VIEWS)/body-so-gddt-hai-duong.html
	$(BIN)/luocdo --store $(STORE) view corpus -o $(VIEWS)/corpus.html

test: $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[test]"
	$(BIN)/python -m pytest -q

# Scale benchmarks on generated corpora (docs/benchmarks.md); corpora and stores go to BENCH_WORK.
SIZES      ?= 1k,10k
JOBS       ?= 2
BENCH_WORK ?= /tmp/luocdo-bench
# Its own environment: installing the package for a benchmark must not replace the editable
# install a developer tests the working tree with.
BENCH_VENV ?= .venv-bench
# More options of benchmarks/run.py, e.g. BENCH_FLAGS=--keep-stores
BENCH_FLAGS ?=
bench:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet ".[test]"
	$(BENCH_VENV)/bin/python benchmarks/run.py --sizes $(SIZES) --jobs $(JOBS) --work $(BENCH_WORK) $(BENCH_FLAGS)

lint: $(BIN)/python
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(STORE) $(VIEWS) build dist *.egg-info

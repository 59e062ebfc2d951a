# The two commands a fresh machine needs: `make run` and `make test` (`make dev` to develop).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# uv installs exactly uv.lock; it lives in its own small venv so that syncing .venv can't remove it.
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: Pango for WeasyPrint, Noto fonts for every script the PDFs use (Latin,
# Cyrillic, Greek, CJK, Thai, Malayalam, Arabic, Hebrew), Chromium for the browser tests,
# poppler-utils (pdftoppm) for the PDF previews of bench/render_samples.py.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils

.PHONY: run dev setup secret-key test bench screenshots loadtest install lock fonts system-run system-test worker clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# --locked: refuse to install when uv.lock no longer matches pyproject.toml.
$(STAMP): pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --extra test --python python3
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# After changing a dependency in pyproject.toml: refresh uv.lock and commit both.
lock: $(UV)
	$(UV) lock --python python3

# The smaller CJK fonts the PDFs use, cut once from fonts-noto-cjk (billing/fonts.py).
fonts: install
	DJANGO_DEBUG=1 $(PY) manage.py build_pdf_fonts

system-run:
	@bash .ci/system-packages $(RUN_PACKAGES)

system-test:
	@bash .ci/system-packages $(TEST_PACKAGES)

# Set-up shared by `make run` and `make dev`: the database, the demo data and its logins.
setup: system-run install fonts
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_ledger
	$(PY) manage.py seed_demo_billing

# As production serves (bin/serve): gunicorn (2 x cores + 1 workers, WEB_CONCURRENCY to
# override), WhiteNoise serving collected, hashed, compressed static files, DEBUG off, the
# secret key generated once into .secret_key (mode 0600), and the worker (run_worker) beside it.
run: export DJANGO_DEBUG := 0
run: secret-key setup
	$(PY) manage.py collectstatic --no-input
	@echo "Serving on http://$(HOST):$(PORT) (gunicorn; the background worker runs beside it; Ctrl-C stops both)"
	@HOST=$(HOST) PORT=$(PORT) VENV=$(VENV) bin/serve

# For developers: DEBUG on, the autoreloading development server, the worker beside it.
dev: export DJANGO_DEBUG := 1
dev: setup
	@echo "Serving on http://$(HOST):$(PORT) (development server; the background worker runs beside it)"
	@trap 'kill 0' EXIT; \
	$(PY) manage.py run_worker & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Unless DJANGO_SECRET_KEY is set: a key made once, kept in the git-ignored .secret_key.
secret-key: install
	@[ -n "$${DJANGO_SECRET_KEY:-}" ] || $(PY) -m config.secret_key

test: system-test install fonts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
# (mypy: the django-stubs plugin imports the settings, which need a key or DEBUG.)
	DJANGO_DEBUG=1 $(VENV)/bin/mypy
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# BENCH_DATABASE_URL=postgres://... (an empty scratch database) adds the ledger and invoice
# finalization benchmarks on PostgreSQL.
# bench/api.py puts localstripe (for comparison) in a venv of its own, bench/out/localstripe-venv.
bench: install fonts
	$(PY) bench/customers.py $(BENCH_ARGS)
	$(PY) bench/api.py
	$(PY) bench/imports.py
	$(PY) bench/ledger.py
	if [ -n "$(BENCH_DATABASE_URL)" ]; then $(PY) bench/ledger.py --database-url "$(BENCH_DATABASE_URL)"; fi
	$(PY) bench/pdf.py
	$(PY) bench/billing.py && if [ -n "$(BENCH_DATABASE_URL)" ]; then $(PY) bench/billing.py --database-url "$(BENCH_DATABASE_URL)"; fi
	$(PY) bench/dashboard.py && if [ -n "$(BENCH_DATABASE_URL)" ]; then $(PY) bench/dashboard.py --database-url "$(BENCH_DATABASE_URL)"; fi

# PNGs of Home, Customers, a customer, an invoice and an Arabic PDF page, from demo data on a
# scratch database, into bench/out/screenshots/ (bench/screenshots.py; Chromium, pdftoppm).
screenshots: system-test install fonts
	$(PY) bench/screenshots.py

# 16 signed-in users for 60 s against gunicorn on 100,000 customers (bench/loadtest.py), then
# verify_ledger. LOADTEST_ARGS="--server runserver", "--saturate", "--database-url postgres://..."
loadtest: install fonts
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) .tools db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles static/fonts

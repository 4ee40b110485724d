# The README's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run serve test install translations check clean bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# axe-core, which the accessibility tests load into the browser; optional for `make run`.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the accessibility tests will skip (apt-get install npm)"; fi

install: $(BIN)/.installed node_modules/.installed

# Compiled message catalogs (.mo) are build output: made from the committed .po files.
translations: install
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -f --statistics 2>&1 | tail -n 1

check: translations
	$(BIN)/flask content check

run: check
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	REPORTS_REFRESH_SECONDS=$${REPORTS_REFRESH_SECONDS:-120} $(BIN)/flask run --host 127.0.0.1 --port 5000

# Production-style serving: gunicorn against DATABASE_URL (SQLite by default), migrated first.
# With REDIS_URL, long jobs (a roster import) go to an RQ worker started beside gunicorn and
# stopped with it; without, they run in a thread of the web process (app/jobs.py).
serve: check
	$(BIN)/flask db upgrade
	@if [ -n "$$REDIS_URL" ]; then \
		$(BIN)/flask jobs worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
		$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app; \
	else $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app; fi

test: check
	$(BIN)/python -m pytest

# The dashboard's queries at 10 thousand and 1 million learners, and their ratio (PostgreSQL on
# 127.0.0.1:5432; the first run generates both data sets, a few minutes).
# Benchmarks print ratios against baselines measured in the same run (see docs/scaling.md).
bench: install
	$(BIN)/python bench/load.py
	$(BIN)/python bench/dashboard_queries.py

clean:
	rm -rf $(VENV) instance .pytest_cache

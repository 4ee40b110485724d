# The README's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test install translations check clean

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
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: check
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache

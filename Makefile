# InsightBoard. `make run` and `make test` work on a fresh machine with Python >= 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help install run test lint format bench lock clean

help:
	@echo "make run    start InsightBoard with demo data on http://localhost:$(PORT)/"
	@echo "make test   run the whole test suite (uses DATABASE_URL/REDIS_URL when set)"
	@echo "make lint   ruff lint and format check, app dependencies, migrations"
	@echo "make bench  reminder dispatch, dashboard, page and all-hands burst benchmarks (need PostgreSQL and Redis on 127.0.0.1)"

$(PY):
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv: on Debian/Ubuntu run 'apt-get install python3-venv'."; exit 1; }

# Reinstall only when the declared or pinned dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# `make run` is a demo, so it shows the app's own error pages rather than Django's
# debug ones (DEBUG=false, which needs a SECRET_KEY and collected static files) and
# e-mails links to the port it serves. The settings read .env but the process
# environment wins, so each of these is given only when neither the environment nor
# .env sets it: DEBUG=true in either brings back the debug pages.
# Non-empty when the environment or .env gives the variable $(1) a value.
given = $(or $($(1)),$(shell grep -Eqs '^[[:space:]]*(export[[:space:]]+)?$(1)=[[:space:]]*[^[:space:]]' .env && echo .env))
SECRET_KEY_FILE := var/secret_key
RUN_ENV :=
ifeq ($(call given,SITE_URL),)
RUN_ENV += SITE_URL=http://localhost:$(PORT)
endif
ifeq ($(call given,DEBUG),)
RUN_ENV += DEBUG=false
endif
ifeq ($(call given,SECRET_KEY),)
RUN_ENV += SECRET_KEY="$$(cat $(SECRET_KEY_FILE))"
run: $(SECRET_KEY_FILE)
endif

# Generated once per checkout and kept out of git (var/ is ignored).
$(SECRET_KEY_FILE): | $(PY)
	@mkdir -p $(@D)
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(PY) manage.py load_demo
	@echo ""
	@echo "  InsightBoard is starting on  http://localhost:$(PORT)/"
	@echo "  E-mail it sends is readable at http://localhost:$(PORT)/outbox/ (log in as olivia@example.com)."
	@echo "  Ctrl-C stops the web server, the Celery worker and Celery beat."
	@echo ""
	$(RUN_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho --procfile Procfile.dev start --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Reminder dispatch: 10,000 reminders through a real worker into a real SMTP server,
# planner and claim query plans, before and after 1M rows of history. Uses (and drops)
# the scratch database insightboard_bench and Redis database 14. Then the dashboards'
# server time over large seeded data; the pages under gunicorn and wrk beside a floor
# page, with the demo data and with large history (bench/pages.py; needs Debian's wrk);
# the all-hands burst under locust (bench/burst.py). Figures: bench/RESULTS.md.
# Not run by CI.
bench: install
	$(PY) bench/reminders.py
	$(PY) bench/dashboards.py
	$(PY) bench/pages.py
	$(PY) bench/pages.py --large
	$(PY) bench/burst.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the pins after changing pyproject.toml's dependencies.
lock: $(PY)
	$(PY) -m pip install --quiet --upgrade -e ".[dev]"
	$(PY) -m pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

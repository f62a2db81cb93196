# Showroom CRM — the two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_WORKERS ?= 2

.PHONY: run test e2e bench install migrate demo lint messages vendor clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Web server, Celery worker and Celery beat in one terminal; Ctrl-C stops them all.
run: demo
	@echo "Showroom CRM on http://$(HOST):$(PORT)/ — demo logins in README.md; Ctrl-C stops everything."
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A dealership worker --loglevel=INFO --concurrency=2 --without-mingle --without-gossip & \
	$(VENV)/bin/celery -A dealership beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	$(PY) manage.py runserver $(HOST):$(PORT); \
	wait

# The whole suite, two worker processes (pytest-xdist); each gets its own test database.
test: install
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

# End-to-end tests in a real browser: Debian's chromium (apt-get install chromium), never a
# downloaded one. Screenshots and HTML of failed tests land in test-artifacts/e2e/.
e2e: install
	$(VENV)/bin/pytest -m e2e tests/e2e

# Benchmark (not a test): seeds a dealer group's volume in a throw-away database and prints
# queries and p50/p95 per page, the dispatcher's SMS/s, and a JSON summary as the last line.
# SQLite by default; DATABASE_URL=postgres://... make bench for PostgreSQL.
# Sizes: make bench BENCH_ARGS="--customers 20000 --visits 60000 --reminders 60000"
bench: install
	$(PY) manage.py bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Update the translation catalogue after changing strings (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=static/vendor --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Refresh the vendored front-end assets from npm (versions in static/vendor/package.json).
vendor:
	rm -rf var/npm && mkdir -p var/npm && cp static/vendor/package.json var/npm/
	cd var/npm && npm install --no-audit --no-fund --silent
	cp var/npm/node_modules/bootstrap/dist/css/bootstrap.min.css* static/vendor/bootstrap/
	cp var/npm/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp var/npm/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	mkdir -p static/vendor/chartjs
	cp var/npm/node_modules/chart.js/dist/chart.umd.min.js* static/vendor/chartjs/
	cp var/npm/node_modules/chart.js/LICENSE.md static/vendor/chartjs/

clean:
	rm -rf var $(VENV)

# Bridgeline: two commands.
#   make run   set everything up and serve the demo site on http://127.0.0.1:$(PORT)
#   make test  set up what the tests need (chromium, postgresql, redis-server) and run them all
# Every step is idempotent and skipped when already done (stamp files in .stamps/).

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMPS := .stamps
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
STATIC_SOURCES := $(shell find static */static -type f 2>/dev/null)

.PHONY: run test bench setup deps npm test-deps messages makemessages static migrate seed check lock clean worker serve

## Setup ---------------------------------------------------------------------

$(STAMPS):
	@mkdir -p $(STAMPS)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/deps: requirements.lock | $(PY) $(STAMPS)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

deps: $(STAMPS)/deps

# The H5P player (h5p-standalone, pinned in package.json), served by the H5P
# content origin from node_modules. --ignore-scripts: its preinstall script
# only works inside its own repository (docs/h5p.md, "Playing").
$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

npm: $(STAMPS)/npm

# Debian packages for the real servers and browser the tests use (nginx: the
# production layout test; wrk: the HTTP load bench). Installed with apt-get when missing (CI and
# sessions run as root); never assumed. policy-rc.d keeps the packages'
# services from starting themselves at install time (the tests start their own).
$(STAMPS)/system: Makefile | $(STAMPS)
	@missing=""; \
	command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	command -v unzip >/dev/null || missing="$$missing unzip"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    created_policy=""; \
	    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1; fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	    status=$$?; [ -n "$$created_policy" ] && rm -f /usr/sbin/policy-rc.d; [ $$status = 0 ] || exit $$status; \
	  else \
	    echo "Missing Debian packages:$$missing. Run: sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi
	@touch $@

test-deps: deps npm $(STAMPS)/system

# Message catalogues compiled with polib (no system gettext needed).
$(STAMPS)/messages: $(PO_FILES) $(STAMPS)/deps
	$(PY) scripts/compile_messages.py
	@touch $@

messages: $(STAMPS)/messages

# Developers: refresh the catalogues after changing strings (needs gettext).
makemessages: deps
	$(PY) manage.py makemessages --locale fr --locale nl --locale en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --no-obsolete

$(STAMPS)/static: $(STATIC_SOURCES) $(STAMPS)/deps $(STAMPS)/npm
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@touch $@

static: $(STAMPS)/static

migrate: deps
	$(PY) manage.py migrate --noinput

seed: migrate messages
	$(PY) manage.py seed_demo

setup: deps npm messages static migrate seed

## The two commands -------------------------------------------------------------

# Serves pages with gunicorn (WSGI workers) and websockets with daphne (ASGI),
# both behind config/router.py on http://HOST:PORT/ (one address, as nginx
# does in production: docs/deployment.md), and runs the background-task
# worker and the housekeepers (live sessions, certificate exports) beside
# them; Ctrl-C stops them all. The two servers listen on Unix sockets named
# after PORT, so several `make run PORT=...` never collide. PORT and HOST
# reach every process: the development settings build every absolute link
# (mail, .ics, QR codes, credentials) and the H5P origins from them.
RUN_SOCKETS := var/run
run: setup
	@echo "Serving on http://$(HOST):$(PORT)/  (demo logins: see README; H5P content on http://$(if $(filter localhost,$(HOST)),127.0.0.1,localhost):$(PORT)/h5p/ only)"
	@mkdir -p var $(RUN_SOCKETS); trap 'trap "" INT TERM; kill 0' EXIT INT TERM; \
	export PORT=$(PORT) HOST=$(HOST); \
	pages=$(RUN_SOCKETS)/pages-$(PORT).sock; asgi=$(RUN_SOCKETS)/asgi-$(PORT).sock; rm -f $$pages $$asgi; \
	$(PY) manage.py db_worker --interval 1 >var/worker.log 2>&1 & \
	bash scripts/respawn.sh $(PY) manage.py live_housekeeping --every 60 >>var/live_housekeeping.log 2>&1 & \
	bash scripts/respawn.sh $(PY) manage.py certificates_housekeeping --every 3600 >>var/certificates_housekeeping.log 2>&1 & \
	$(VENV)/bin/gunicorn -c config/gunicorn.py --bind unix:$$pages & \
	$(VENV)/bin/daphne -u $$asgi config.asgi:application & \
	$(PY) -m config.router --bind $(HOST):$(PORT) --pages unix:$$pages --asgi unix:$$asgi

test: test-deps messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

bench: test-deps messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m bench $(BENCH_ARGS)

## Maintenance -------------------------------------------------------------------

check: deps
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Re-resolve the pinned set from pyproject.toml in a throwaway venv.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet $$($(PYTHON) -c 'import tomllib;d=tomllib.load(open("pyproject.toml","rb"))["project"];print(" ".join(repr(x) for x in d["dependencies"]+d["optional-dependencies"]["test"]))' | tr -d "'")
	( echo '# Full pinned dependency set (runtime + tests). Regenerate with `make lock`.'; .venv-lock/bin/pip freeze | grep -v -E '^(pip|setuptools)==' ) > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(STAMPS) var db.sqlite3 db.sqlite3-* .pytest_cache

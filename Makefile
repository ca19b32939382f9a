# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
MAIL_PORT ?= 8025

.PHONY: run test install install-test lint migrate seed clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(FLASK) db upgrade

# Every run: the seed is idempotent (it only makes demo customers that are missing, erased
# ones included) and prints the demo log-in each time.
seed: migrate
	@$(FLASK) demo seed

# The web server, a local mail catcher (aiosmtpd, mail lands in instance/mail/) and the
# outbox worker run together; Ctrl-C stops all three. The traps end only the two background
# jobs (by pid): signalling the whole group would signal make and this shell too. The shell
# waits for them to end before it exits, so the prompt comes back once everything has
# stopped (the worker first finishes and records the batch in hand), and make, which gets the
# Ctrl-C too, still has this shell to reap: GNU make 4.3 says "wait: No child processes"
# when its child is gone before its own handler runs.
run: seed
	@echo ""
	@echo "  Preference centre:  http://127.0.0.1:5000"
	@echo "  Log in as a demo customer: the 'Log in as' line above"
	@echo "  Caught mail:        http://127.0.0.1:5000/dev/mail  (files in instance/mail/)"
	@echo ""
	@$(BIN)/python -m preference_centre.devmail --port $(MAIL_PORT) --dir instance/mail & \
	pids=$$!; \
	$(FLASK) outbox send --poll & \
	pids="$$pids $$!"; \
	trap 'kill $$pids 2>/dev/null; wait; exit 0' INT TERM; \
	trap 'kill $$pids 2>/dev/null' EXIT; \
	FLASK_DEBUG=1 $(FLASK) run --host 127.0.0.1 --port 5000

# The suite runs on two cores (pytest-xdist); each worker has its own database, SQLite file,
# mail server and ports. PYTEST_ARGS="-n 0" runs it in one process.
test: install-test
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Vulture finds dead code; vulture_whitelist.py says why its few false alarms are used.
# Migrations are excluded, as from ruff: Alembic calls their functions by name.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/vulture preference_centre vulture_whitelist.py --min-confidence 90 \
	  --exclude preference_centre/migrations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Regenerate the initial schema migration from the models (before the first release only;
# after that, add a new revision instead). The hand-written revisions after it are kept.
# Serialised with flock: several people may run it.
migration: install
	flock /tmp/preference-centre-migration.lock sh -c '\
	  set -e; tmp=$$(mktemp -d); keep=$$(mktemp -d); \
	  for f in preference_centre/migrations/versions/*.py; do \
	    case $$f in */0001_schema.py) rm -f $$f ;; *) mv $$f $$keep/ ;; esac; done; \
	  INSTANCE_PATH=$$tmp DATABASE_URL=sqlite:///$$tmp/m.db $(FLASK) db migrate --rev-id 0001 -m schema; \
	  mv $$keep/*.py preference_centre/migrations/versions/'

# The two commands of the README: `make run` (set up and start) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000

.PHONY: run setup install test lint lock messages worker beat

run: setup
	@echo "OCIP runs at http://$(ADDRESS)/ (demo personas: see the README). Emails it sends, such as"
	@echo "the link that verifies a new account, are printed in this terminal."
	$(BIN)/python manage.py runserver $(ADDRESS)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo_data

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ocip diagnostics matching projects cms
	$(BIN)/lint-imports

# Regenerate the hashed lock after changing pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --extra dev --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv

worker: install
	$(BIN)/celery -A ocip.celery worker --loglevel=INFO

beat: install
	$(BIN)/celery -A ocip.celery beat --loglevel=INFO

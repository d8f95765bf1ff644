# winbot: `make run` to start everything, `make test` to run the whole suite. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Interpreters: on PATH or under pyenv. Override with `make PY310=/path/python3.10 PYTHON=/path/python3.12`.
# A candidate counts only if it really runs (a pyenv shim for a version that is not selected does not).
find_python = $(shell for p in $$(command -v python$(1) 2>/dev/null) $(HOME)/.pyenv/versions/$(1)*/bin/python$(1) \
                /usr/local/bin/python$(1) /usr/bin/python$(1); do \
                [ -x "$$p" ] && "$$p" -c 'import sys' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
PY310 ?= $(call find_python,3.10)
PYTHON ?= $(or $(call find_python,3.12),$(call find_python,3.13))

VENV := .venv
RASA_VENV := .venv-rasa
RASA := $(RASA_VENV)/bin/rasa
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
LANGS := pl ro bg uk en nl

.PHONY: help setup system-deps services run test test-fast eval bench train validate story-test lint content-report \
        translations-extract translations-update translations-compile clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

$(RASA_VENV)/.installed: requirements/rasa.lock
	@[ -n "$(PY310)" ] || { echo "Python 3.10 not found (Rasa 3.6 needs it): install it (e.g. 'pyenv install 3.10') or pass PY310=/path/to/python3.10"; exit 1; }
	@echo "creating $(RASA_VENV) with $(PY310)"
	$(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q --upgrade pip
	$(RASA_VENV)/bin/pip install -q --no-deps -r requirements/rasa.lock
	touch $@

$(VENV)/.installed: requirements/app.lock pyproject.toml
	@[ -n "$(PYTHON)" ] || { echo "Python 3.12 or 3.13 not found: install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12"; exit 1; }
	@echo "creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install --python $(PY) -q -r requirements/app.lock
	$(VENV)/bin/uv pip install --python $(PY) -q --no-deps -e .
	touch $@

setup: $(RASA_VENV)/.installed $(VENV)/.installed translations-compile ## create both environments from the lock files

train: setup ## train the model if the training data changed
	$(VENV)/bin/winbot train

run: setup ## set everything up, train if needed and start Rasa, actions and the web chat on :8080
	$(VENV)/bin/winbot run

validate: setup ## rasa data validate; the sub-question data: examples per sub-answer and language, problems
	$(PY) -m bot.subquestion_data
	@# The data as the model is trained on it (bot/training.py): intents and sub-questions, with folded forms.
	$(PY) -c 'from bot.training import PROJECT_ROOT, prepare_nlu; prepare_nlu(target=PROJECT_ROOT / "var" / "validate" / "nlu")'
	$(RASA) data validate --domain domain --data var/validate/nlu data --fail-on-warnings

story-test: train ## Rasa story tests (NLU and dialogue together, in all six languages)
	$(PY) -c 'from bot.training import prepare_stories; prepare_stories()'
	$(RASA) test core --model models/$$($(PY) -c 'from bot.training import model_path; print(model_path().name)') \
	  --stories models/.prepared/stories --fail-on-prediction-errors --out var/results/stories

system-deps: ## install the Debian packages the tests need (Chromium, PostgreSQL, Redis, fonts), or say which
	@scripts/system-deps

services: system-deps ## start PostgreSQL and Redis on loopback with fresh test databases; prints the test variables
	@scripts/test-services

# The services' URLs come from scripts/test-services; WINBOT_REQUIRE_SERVICES makes a missing one fail, not skip.
test: system-deps setup lint validate story-test ## the whole suite: lint, validation, story tests, unit, stack and browser tests
	@services=$$(scripts/test-services) && eval "$$services" && echo "$$services" && \
	  WINBOT_REQUIRE_SERVICES=1 $(VENV)/bin/pytest

test-fast: setup ## unit tests only (no running stack, no browser)
	$(VENV)/bin/pytest -m "not stack and not e2e"

eval: train ## NLU evaluation on held-out data, per language (reports/nlu-eval.md)
	$(VENV)/bin/winbot eval

content-report: setup ## answers whose figures are past or near their valid-until date, and old checks
	$(PY) -m core.content.report

bench: setup ## benchmarks (print tables); BENCH_ANNOUNCEMENTS="--count 2000" for a shorter announcement run
	$(PY) bench/train_time.py
	$(MAKE) train
	$(PY) bench/nlu_parse.py
	$(PY) bench/places.py
	$(PY) bench/gateway.py
	$(PY) bench/safety.py
	$(PY) bench/announcements.py $(BENCH_ANNOUNCEMENTS)

lint: setup ## ruff and mypy on the Python packages
	$(VENV)/bin/ruff check bot core actions tests bench nlu_components
	$(VENV)/bin/mypy bot core actions

translations-extract: ## collect msgids into translations/messages.pot
	$(PYBABEL) extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
	  --project winbot --copyright-holder "winbot contributors" -o translations/messages.pot .

translations-update: translations-extract ## merge new msgids into the six catalogs (English filled from msgids)
	for l in $(LANGS); do $(PYBABEL) update -i translations/messages.pot -d translations -l $$l -D messages --no-fuzzy-matching --ignore-obsolete; done
	$(PY) -m core.i18n_tools fill-english

translations-compile: ## compile the catalogs (.mo)
	@for l in $(LANGS); do $(PYBABEL) compile -d translations -l $$l -D messages 2>&1 | grep -v "^compiling" ; test $${PIPESTATUS[0]} -eq 0 || exit 1; done

clean: ## remove environments, models and local data
	rm -rf $(VENV) $(RASA_VENV) models var .pytest_cache test-artifacts

# cdr-pipeline. `make demo` and `make test` each set up everything they need on a fresh
# machine: Debian packages (Java, Maven, PostgreSQL, Prometheus) if missing, the Python
# virtualenv, the Maven jars (Kafka, Kafka Connect, Debezium).
# The interpreter the virtualenv is made from (deploy/local/find-python.sh says which and why).
PYTHON ?= $(shell bash deploy/local/find-python.sh)
VENV   := .venv
BIN    := $(VENV)/bin
# (PYTHON is worked out where it is used, so after system-deps has installed venv; the
# stamp names the interpreter itself, so a python3 that came to mean another rebuilds)
STAMP  := $(VENV)/.installed-$(shell { sha256sum pyproject.toml; $(PYTHON) -c 'import sys; print(sys.executable, sys.version)' 2>/dev/null; } | sha256sum | cut -c1-12)

.PHONY: install system-deps jars test unit integration security reliability e2e lint demo bench clean stack-up stack-down stack-status

install: system-deps $(STAMP)

system-deps:
	@bash deploy/local/install-system-deps.sh

$(STAMP): pyproject.toml
	@test -n '$(PYTHON)' || { echo 'Python 3.11+ with its venv module is required (Debian: python3-venv)' >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

jars: install
	$(BIN)/python -m devstack.maven kafka connect debezium-postgres avro-converter
	$(BIN)/python -m devstack.registry

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install jars lint
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

integration: install jars
	$(BIN)/pytest tests/integration

# The attack ledger: hostile input through file mode and the service; prints
# `security ledger: held H / tried T` and the failing case ids by attack class.
security: install jars
	$(BIN)/pytest tests/security

reliability: install jars
	$(BIN)/pytest tests/reliability

e2e: install jars
	$(BIN)/pytest tests/e2e

demo: install jars
	$(BIN)/python -m devstack.demo $(if $(FORMAT),--format $(FORMAT)) $(DEMO_ARGS)

stack-up: install jars
	$(BIN)/python -m devstack.stack up

stack-down:
	$(BIN)/python -m devstack.stack down

stack-status:
	$(BIN)/python -m devstack.stack status

bench: install jars
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/throughput.py --schemaless
	$(BIN)/python bench/detection_quality.py $(if $(CORPUS_MIRROR),--mirror $(CORPUS_MIRROR))
	$(BIN)/python bench/detection_throughput.py
	$(BIN)/python bench/detection_throughput.py --free-text --events 5000 --rounds 2
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/memory_hostile.py
	$(BIN)/python bench/filemode_throughput.py
	$(BIN)/python bench/linespans.py
	$(BIN)/python bench/kafka_throughput.py

clean:
	rm -rf $(VENV) .run .pytest_cache .ruff_cache *.egg-info

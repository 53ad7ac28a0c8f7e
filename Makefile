# Everyday targets. Everything installs into .venv from pinned versions in pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SCALE ?= s
SEED ?= 7

# dagster-dbt (e.g. DbtProject.prepare_if_dev under `dagster dev`) looks for `dbt` on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: install run test lint format ui sample dbt-parse sources clean bench engines portability report docs

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster-instance.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp dagster-instance.yaml $@

# The Dagster definitions read dbt's manifest; parse writes it (no warehouse connection needed).
dbt-parse: install
	cd dbt && ../$(BIN)/dbt parse --profiles-dir . --quiet

## run: ingest the embedded sample (seeds/landing) -> dbt build -> quality gate -> publish
run: dbt-parse $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m dagster_project.run

## test: lint, then the whole test suite (CI calls exactly this)
test: dbt-parse lint engines
	$(BIN)/python -m pytest

# dbt-spark's session mode runs pyspark in dbt's process. It lives in a venv of its own: in .venv,
# Great Expectations imports pyspark when it is installed, which prints warnings into every run.
SPARK_VENV := .venv-spark
SPARK_PACKAGES := "dbt-core>=1.11,<1.12" "dbt-spark[session]==1.11.0"
$(SPARK_VENV)/.installed-stamp: Makefile
	@test -d $(SPARK_VENV) || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install --quiet $(SPARK_PACKAGES)
	@touch $@

# The portability test starts its own PostgreSQL server from Debian's package and a local Spark
# session, which needs Java; the report and UI tests drive Debian's Chromium headless. Install
# them when missing (root, or sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
## engines: PostgreSQL's server, a Java runtime, Chromium and the Spark venv, when missing
engines: $(SPARK_VENV)/.installed-stamp
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		missing=" postgresql"; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian's$$missing for the portability and browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## portability: build the dbt project on PostgreSQL and Spark and compare their marts with DuckDB's
portability: dbt-parse engines
	$(BIN)/python -m pytest tests/test_portability.py

lint: dbt-parse
	$(BIN)/ruff check dagster_project tests
	$(BIN)/ruff format --check dagster_project tests
	@# sqlfluff's dbt templater connects to DuckDB: give it a scratch file, not the warehouse.
	@d=$$(mktemp -d) && FUNNEL_WAREHOUSE_DIR=$$d $(BIN)/sqlfluff lint dbt/models dbt/data-tests; \
		rc=$$?; rm -rf $$d; exit $$rc

format: install
	$(BIN)/ruff check --fix dagster_project tests
	$(BIN)/ruff format dagster_project tests
	@d=$$(mktemp -d) && FUNNEL_WAREHOUSE_DIR=$$d $(BIN)/sqlfluff fix dbt/models dbt/data-tests; \
		rc=$$?; rm -rf $$d; exit $$rc

## ui: the Dagster UI (asset graph, lineage, checks, launching runs) on http://127.0.0.1:3000
ui: dbt-parse $(DAGSTER_HOME)/dagster.yaml
	@# the days the landing zone covers, as as_of_date partitions (the sensor adds new ones)
	$(BIN)/python -m dagster_project.partitions
	$(BIN)/dagster dev -w workspace.yaml

## report: print the path of the published report (and open it where a desktop browser is)
report:
	@f=$$(realpath -m "$${FUNNEL_WAREHOUSE_DIR:-warehouse}/published/report/index.html"); \
	if [ ! -f "$$f" ]; then echo "No report yet: run 'make run' first ($$f)"; exit 1; fi; \
	echo "$$f"; \
	if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && command -v xdg-open >/dev/null 2>&1; then xdg-open "$$f" >/dev/null 2>&1 & fi

## docs: dbt's documentation of every model (descriptions, columns, tests, lineage) on http://127.0.0.1:8080
# Compiled as of the newest landed day into a target of its own (the parse state `make run` and
# the UI read is left alone) against a scratch warehouse: the catalog is left empty, the column
# types shown are the marts' declared contracts.
DOCS_PORT ?= 8080
docs: dbt-parse
	@d=$$(mktemp -d) && day=$$($(BIN)/python -m dagster_project.partitions --newest) && \
	cd dbt && FUNNEL_WAREHOUSE_DIR=$$d FUNNEL_DBT_AS_OF_DATE=$$day ../$(BIN)/dbt docs generate \
		--profiles-dir . --target-path ../warehouse/dbt-docs --empty-catalog --quiet && \
	rm -rf $$d && echo "dbt docs as of $$day: http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops)" && \
	../$(BIN)/dbt docs serve --profiles-dir . --target-path ../warehouse/dbt-docs \
		--port $(DOCS_PORT) --host 127.0.0.1 --no-browser

## sample: regenerate the committed sample extracts (scale s, seed 7) in seeds/landing
sample: install
	$(BIN)/python -m dagster_project.sample --scale $(SCALE) --seed $(SEED) --out seeds/landing --gzip

## bench: read floor, full refresh and incremental day at SCALE (xs|s|m|l); data is reused
bench: dbt-parse
	$(BIN)/python tests/bench/bench.py --scale $(SCALE) --seed $(SEED)

## sources: re-render the dbt source YAML from the extract contract
sources: install
	$(BIN)/python -m dagster_project.ingest.contract

clean:
	rm -rf warehouse .dagster_home dbt/target dbt/logs

"""Paths and settings, read from environment variables when a run uses them (not at import), so
tests and deployments can point one code location at their own landing zone and warehouse."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from dagster_project.lib.env import env_number
from dagster_project.lib.lock import run_lock

REPO_ROOT = Path(__file__).resolve().parents[1]


class FunnelSettings(dg.ConfigurableResource):
    """Where extracts land and where the warehouse lives.

    Empty values fall back to ``$FUNNEL_LANDING_DIR`` / ``$FUNNEL_WAREHOUSE_DIR`` and then to the
    repository defaults (``seeds/landing`` and ``warehouse/``).
    """

    landing_dir: str = ""
    warehouse_dir: str = ""

    @property
    def landing_path(self) -> Path:
        return Path(
            self.landing_dir
            or os.environ.get("FUNNEL_LANDING_DIR")
            or REPO_ROOT / "seeds" / "landing"
        ).resolve()

    @property
    def warehouse_path(self) -> Path:
        path = Path(
            self.warehouse_dir or os.environ.get("FUNNEL_WAREHOUSE_DIR") or REPO_ROOT / "warehouse"
        ).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def work_db(self) -> Path:
        return self.warehouse_path / "work.duckdb"

    @property
    def published_path(self) -> Path:
        return self.warehouse_path / "published"

    @property
    def settle_seconds(self) -> float:
        """How long a landing file must be unchanged before the sensor counts it."""
        return env_number("FUNNEL_SETTLE_SECONDS", 30.0, unit="seconds")

    @property
    def full_refresh(self) -> bool:
        """Rebuild incremental models from the raw tables ($FUNNEL_FULL_REFRESH=1)."""
        return os.environ.get("FUNNEL_FULL_REFRESH", "0") not in ("0", "", "false", "no")

    @property
    def publish_ahead(self) -> bool:
        """Publish a run as of a day after the newest loaded batch as the main set
        ($FUNNEL_PUBLISH_AHEAD=1); by default it goes to published/ahead/<day>/."""
        return os.environ.get("FUNNEL_PUBLISH_AHEAD", "0") not in ("0", "", "false", "no")

    @property
    def as_of_override(self) -> str | None:
        return os.environ.get("FUNNEL_AS_OF_DATE") or None


# Set by `make run` (dagster_project/run.py) to its PID while it holds the run lock itself.
RUN_LOCK_HELD_ENV = "FUNNEL_RUN_LOCK_PID"
DEFAULT_LOCK_WAIT_SECONDS = 1800


class WarehouseRunLock(dg.ConfigurableResource):
    """One run at a time per warehouse, whoever started it: a run launched from the UI, the
    schedule or the sensor holds ``<warehouse>/.run.lock`` from its start to its end, as
    `make run` does, so the second of two runs waits for the first (and says for whom) instead
    of failing on DuckDB's file lock halfway through."""

    _held: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if os.environ.get(RUN_LOCK_HELD_ENV) == str(os.getpid()):
            return  # `make run` took it before starting the run
        settings = FunnelSettings()
        wait = env_number("FUNNEL_RUN_LOCK_WAIT", DEFAULT_LOCK_WAIT_SECONDS, unit="seconds")
        held = ExitStack()
        held.enter_context(
            run_lock(
                settings.warehouse_path,
                f"Dagster run {context.run_id}",
                wait,
                on_wait=context.log.info if context.log else None,
            )
        )
        self._held = held

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

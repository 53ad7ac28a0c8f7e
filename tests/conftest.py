"""Shared fixtures: the repo, the generated xs sample, the peer's external extracts."""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_EXTERNAL = REPO.parent / "shared" / "external"

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session")
def xs_landing(tmp_path_factory) -> Path:
    """The xs sample, generated once per session (the same generator as the committed sample)."""
    from dagster_project.sample.generate import generate
    from dagster_project.sample.write import write_landing

    out = tmp_path_factory.mktemp("xs_landing")
    write_landing(generate("xs", 7), out)
    return out


@pytest.fixture(scope="session")
def xs_warehouse(xs_landing, dbt_manifest, tmp_path_factory) -> Path:
    """A warehouse after one successful run on the xs sample (its published/ included), shared
    by the tests that only read what a run published."""
    from support import failures, run_refresh

    warehouse = tmp_path_factory.mktemp("xs_run") / "warehouse"
    result = run_refresh(xs_landing, warehouse)
    assert result.success, failures(result)
    return warehouse


@pytest.fixture(scope="session")
def sample_warehouse(dbt_manifest, tmp_path_factory) -> Path:
    """The committed sample (seeds/landing) run once, as `make run` runs it, shared by the
    tests that assert on its concrete rows."""
    from support import failures, run_refresh

    warehouse = tmp_path_factory.mktemp("sample") / "warehouse"
    result = run_refresh(REPO / "seeds" / "landing", warehouse)
    assert result.success, failures(result)
    return warehouse


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """dbt's manifest, which the Dagster definitions read; parsed once if missing."""
    manifest = REPO / "dbt" / "target" / "manifest.json"
    if not manifest.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [str(dbt), "parse", "--profiles-dir", ".", "--quiet"], cwd=REPO / "dbt", check=True
        )
    return manifest


@pytest.fixture
def external_dir():
    """Fivetran's integration-test extracts beside the repo (never copied into it)."""

    def get(name: str) -> Path:
        path = SHARED_EXTERNAL / name
        if not path.is_dir():
            pytest.skip(f"{path} is absent: the peer's external test data is not checked out")
        return path

    return get


def read_text_any(path: Path) -> bytes:
    """File content, decompressed when gzipped (gzip headers carry no meaning here)."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data

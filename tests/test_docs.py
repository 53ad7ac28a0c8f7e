"""The behaviour tables in docs/ name the tests that prove them: each named test must exist."""

import json
import os
import re
import signal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_every_test_named_in_the_bad_input_catalogue_exists():
    text = (REPO / "docs" / "bad-input.md").read_text()
    pytest_refs = set(re.findall(r"`(test_\w+\.py)::(test_\w+)`", text))
    dbt_refs = set(re.findall(r"dbt unit test `(\w+)`", text))
    assert len(pytest_refs) >= 25 and len(dbt_refs) >= 5
    for module, name in sorted(pytest_refs):
        source = (REPO / "tests" / module).read_text()
        assert re.search(rf"^def {name}\(", source, re.M), f"{module}::{name}"
    unit_tests = "".join(p.read_text() for p in (REPO / "dbt" / "models").rglob("*.yml"))
    for name in sorted(dbt_refs):
        assert f"- name: {name}\n" in unit_tests, name


# Text users read: model and column descriptions, the macros and models they see in dbt docs,
# the README, the docs, the report's templates and the assets' docstrings in the UI.
PRODUCT_TEXT = ["dbt/models", "dbt/data-tests", "dbt/macros", "dbt/seeds", "docs", "README.md"]
PRODUCT_CODE = ["dagster_project"]


def _files(paths: list[str], suffixes: tuple[str, ...]) -> list[Path]:
    out = []
    for p in paths:
        root = REPO / p
        out += [root] if root.is_file() else [f for f in root.rglob("*") if f.suffix in suffixes]
    return sorted(out)


def _metric_sections() -> set[str]:
    text = (REPO / "docs" / "metrics.md").read_text()
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\b", text, re.M))


def test_every_metric_guide_citation_names_a_section_that_exists():
    sections = _metric_sections()
    assert {"2.1", "2.7", "3.9", "3.13", "3.14"} <= sections
    cited: dict[str, list[str]] = {}
    for f in _files([*PRODUCT_TEXT, *PRODUCT_CODE, "tests"], (".yml", ".sql", ".md", ".py", ".j2")):
        if f.name == "metrics.md":
            continue
        text = f.read_text()
        for a, b in re.findall(r"docs/metrics\.md\s+§(\d+\.\d+)(?:-§(\d+\.\d+))?", text):
            for section in (a, b):
                if section:
                    cited.setdefault(section, []).append(str(f.relative_to(REPO)))
    assert len(cited) >= 10
    missing = {s: files for s, files in cited.items() if s not in sections}
    assert not missing, f"cited sections docs/metrics.md does not have: {missing}"


def test_product_text_cites_only_documents_in_the_repository():
    """No description, doc or docstring sends a reader to a document outside the repository
    (the specification or metric notes the project was built from)."""
    bad = []
    for f in _files([*PRODUCT_TEXT, *PRODUCT_CODE], (".yml", ".sql", ".md", ".py", ".j2")):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            if re.search(r"\bSPEC\b|\.\./shared|(?<!docs/)\bmetrics\.md\s+\d", line) or re.search(
                r"\bM-\d\d\b", line
            ):
                bad.append(f"{f.relative_to(REPO)}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_every_published_mart_states_its_grain_and_describes_every_column():
    import yaml

    from dagster_project.transform.assets import MART_KEYS

    models = {}
    for f in (REPO / "dbt" / "models" / "marts").rglob("_*models.yml"):
        for m in yaml.safe_load(f.read_text()).get("models", []):
            models[m["name"]] = m
    for mart in MART_KEYS:
        model = models[mart]
        assert re.search(r"\bone row per\b", model["description"], re.I), mart
        for column in model["columns"]:
            assert len(column.get("description", "").strip()) > 3, (mart, column["name"])


@pytest.mark.e2e
def test_make_docs_serves_dbt_docs_of_the_marts(dbt_manifest):
    """`make docs` generates dbt's documentation (compiled as of the newest landed day, the
    parse state the runs use left alone) and serves it."""
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    parse_state = REPO / "dbt" / "target" / "manifest.json"
    before = parse_state.stat().st_mtime_ns if parse_state.exists() else None
    proc = subprocess.Popen(
        ["make", "-s", "docs", f"DOCS_PORT={port}"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json") as r:
                    manifest = json.loads(r.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "make docs never served"
                time.sleep(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as r:
            assert b"dbt" in r.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # started from a shell that ignores SIGTERM (the disposition is inherited)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert "Accountability Performance Matrix" in nodes["mart_apm"]["description"]
    assert nodes["mart_apm"]["columns"]["rag_basis"]["description"]
    if before is not None:
        assert parse_state.stat().st_mtime_ns >= before  # rewritten by dbt-parse at most

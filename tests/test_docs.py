"""The behaviour tables in docs/ name the tests that prove them: each named test must exist."""

import re
from pathlib import Path

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

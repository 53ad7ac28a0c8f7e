"""The benchmark's own logic (make bench): which batches make the incremental day."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "bench", Path(__file__).resolve().parent / "bench" / "bench.py"
)
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench"] = bench  # dataclasses look their module up while the class is made
_spec.loader.exec_module(bench)


def test_incremental_day_is_the_newest_daily_batches_worth_the_share(tmp_path):
    days = ["20261030T235959Z", "20261031T235959Z", "20261101T235959Z", "20261102T235959Z"]
    files = [tmp_path / "crm" / obj / f"{d}.csv.gz" for obj in ("Lead", "Task") for d in days]
    rows = {f: (1000 if f.name.startswith(days[0]) else 10) for f in files}  # 2000 + 6 x 10
    held = bench.held_back(files, rows, share=0.015)  # 1.5% of 2060 rows = 31 rows
    assert {f.name.split(".")[0] for f in held} == {days[3], days[2]}
    assert all(f.name.split(".")[0] != days[0] for f in bench.held_back(files, rows, share=0.9))


def test_tree_rss_counts_this_process():
    import os

    assert bench.tree_rss_bytes(os.getpid()) > 10_000_000

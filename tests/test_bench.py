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


def _result(scale, commit, measured_at, floor, full, incremental, peak=1.0):
    def stage(seconds):
        return {"seconds": seconds, "peak_rss_gb": peak, "steps": {}}

    return {
        "scale": scale,
        "commit": commit,
        "measured_at": measured_at,
        "floor": stage(floor),
        "full": stage(full),
        "incremental": stage(incremental),
        "full_over_floor": round(full / floor, 2),
        "incremental_over_full": round(incremental / full, 3),
    }


def _by_target(targets):
    return {t["target"]: t for t in targets}


def test_spec_targets_at_l_say_which_are_met():
    result = _result("l", "abc", "2026-11-23T10:00:00Z", 25.0, 105.0, 15.0, peak=6.2)
    m = _result("m", "abc", "2026-11-23T09:00:00Z", 5.0, 35.0, 20.0)
    targets = _by_target(bench.spec_targets(result, m))
    assert targets["full refresh / read floor"]["measured"] == 4.2
    assert not targets["full refresh / read floor"]["met"]
    assert targets["full refresh seconds"]["met"]
    assert not targets["peak memory GB"]["met"]  # 6.2 GB over the 6 GB limit
    assert targets["incremental day / full"]["met"]  # 15 / 105 = 0.143
    assert targets["l / m full refresh"]["measured"] == 3.0
    assert all(t["applies"] for t in targets.values())


def test_spec_targets_set_for_l_do_not_apply_at_m():
    result = _result("m", "abc", "2026-11-23T10:00:00Z", 5.0, 33.5, 26.0)
    targets = _by_target(bench.spec_targets(result))
    assert not targets["full refresh / read floor"]["applies"]
    assert targets["incremental day / full"]["applies"]
    assert not targets["incremental day / full"]["met"]  # 0.776
    assert "l / m full refresh" not in targets
    lines = bench.target_lines(bench.spec_targets(result))
    assert any("NOT MET" in line for line in lines)
    assert any("(set for scale l)" in line for line in lines)


def test_a_repeat_run_at_one_commit_keeps_the_earlier_result(tmp_path):
    first = bench.results_path(tmp_path, "l", "abc")
    assert first.name == "l-abc.json"
    first.write_text("{}")
    second = bench.results_path(tmp_path, "l", "abc")
    assert second.name == "l-abc-run2.json"
    second.write_text("{}")
    assert bench.results_path(tmp_path, "l", "abc").name == "l-abc-run3.json"


def test_l_is_set_against_the_m_result_of_its_own_commit(tmp_path):
    import json

    for name, commit, at in (
        ("m-old.json", "old", "2026-11-23T08:00:00Z"),
        ("m-abc.json", "abc-dirty", "2026-11-23T09:00:00Z"),
        ("m-new.json", "new", "2026-11-23T11:00:00Z"),
        ("l-abc.json", "abc", "2026-11-23T10:00:00Z"),
    ):
        scale = name[0]
        (tmp_path / name).write_text(json.dumps(_result(scale, commit, at, 1, 2, 1)))
    assert bench.m_reference(tmp_path, "abc")[0].name == "m-abc.json"
    assert bench.m_reference(tmp_path, "zzz")[0].name == "m-new.json"  # none of its own: newest
    assert [p.name for p, _ in bench.load_results(tmp_path, "m")] == [
        "m-old.json",
        "m-abc.json",
        "m-new.json",
    ]


def test_comparison_gives_each_stage_against_the_earlier_result():
    was = _result("l", "a", "2026-11-23T09:00:00Z", 24.0, 120.0, 60.0)
    now = _result("l", "b", "2026-11-23T10:00:00Z", 24.0, 96.0, 66.0)
    lines = bench.comparison_lines(now, was, "l-a.json")
    assert lines[0].startswith("compared with l-a.json")
    full = next(line for line in lines if "full refresh" in line)
    assert "96.0s" in full and "120.0s" in full and "(-20%)" in full
    assert "(+10%)" in next(line for line in lines if line.strip().startswith("incremental "))


def test_table_shows_the_time_outside_the_steps():
    measure = bench.Measure("full refresh", 100.0, 5.0, steps={"ingest": 30.0, "dbt": 60.0})
    other = next(line for line in bench.table([measure]).splitlines() if "other" in line)
    assert other.split()[-1] == "10.0"


def _node(uid, start, end, seconds):
    day = "2026-11-23T10:00:"
    return {
        "unique_id": uid,
        "execution_time": seconds,
        "timing": [
            {"name": "compile", "started_at": f"{day}{start:02d}Z", "completed_at": None},
            {"name": "execute", "started_at": f"{day}{start:02d}Z",
             "completed_at": f"{day}{end:02d}Z"},
        ],
    }  # fmt: skip


def test_outside_models_splits_the_dbt_step_by_thread_time():
    # Nodes span 10 s (second 5 to 15); 12 s of model thread time and 4 s of tests: the tests
    # get a quarter of the span. dbt's step took 13 s, so 3 s were dbt's start-up.
    run_results = {
        "results": [
            _node("model.p.a", 5, 11, 6.0),
            _node("model.p.b", 5, 11, 6.0),
            _node("test.p.unique_a", 11, 15, 4.0),
        ]
    }
    steps = {"ingest_extracts": 2.0, "dbt_models": 13.0, "great_expectations": 1.5,
             "published_marts": 2.5}  # fmt: skip
    outside = bench.outside_models(21.0, steps, run_results)
    assert outside["parts"] == {
        "other": 2.0,
        "ingest": 2.0,
        "dbt start-up": 3.0,
        "dbt tests": 2.5,
        "gx": 1.5,
        "publish": 2.5,
    }
    assert outside["seconds"] == 13.5

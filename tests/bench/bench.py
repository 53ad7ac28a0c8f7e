"""``make bench SCALE=<xs|s|m|l>``: the read floor, a full refresh and an incremental day, each
measured as a whole process (wall time, rows in and out, peak memory of the process tree).

- **floor**: DuckDB alone reads the extract files of the full refresh into tables;
- **full**: ``python -m dagster_project.run`` on a fresh warehouse (extracts to published),
  recording the run in a Dagster home of its own with the repository's ``dagster.yaml``, as
  ``make run`` does;
- **incremental**: the daily batches held back from the full refresh (the newest ones, about 1%
  of the rows) land, and the same command runs again on that warehouse.

Data is generated once per scale and seed under ``warehouse/bench/`` and reused. Results are
printed as a table, with SPEC 9's targets (met or not) and the change against the previous
result of the same scale, and written to ``tests/bench/results/<scale>-<commit>.json`` (a
repeat run at one commit adds ``-run2``, ``-run3``: this machine's speed drifts, so every run
is kept).

The incremental day's time outside the models (start-up, ingestion, dbt's start-up, the dbt
tests, GX, publishing: work every run does whatever changed) is reported beside the ratio, as a
share of the full refresh: no change to the models can take the ratio below it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
# Column lineage is worked out once per version of the project's SQL and kept here for every
# warehouse (dagster_project/transform/assets.py); the result says if the full refresh found it.
LINEAGE_CACHE = REPO / "dbt" / "target" / "lineage-cache.json"
HOLD_BACK_SHARE = 0.01  # the incremental day: newest daily batches worth about 1% of rows

# SPEC 9's targets. The full-refresh time, its ratio to the floor and the memory are set for
# scale l; the incremental ratio holds at every scale; l may take at most 12x m's full refresh.
FULL_OVER_FLOOR_MAX = 4.0
FULL_SECONDS_MAX = 600.0
PEAK_GB_MAX = 6.0
INCREMENTAL_OVER_FULL_MAX = 0.15
L_OVER_M_MAX = 12.0

# The floor: DuckDB reading each object's files into one table, nothing else.
FLOOR_SCRIPT = """
import json, sys, duckdb
plan = json.load(open(sys.argv[1]))
con = duckdb.connect(sys.argv[2])
rows = 0
for name, files in plan.items():
    con.execute(
        f"create table \\"{name}\\" as select * from read_csv({files!r}, union_by_name = true)"
    )
    rows += con.execute(f'select count(*) from "{name}"').fetchall()[0][0]
con.close()
print(json.dumps({"rows": rows}))
"""


@dataclass
class Measure:
    stage: str
    seconds: float
    peak_rss_gb: float
    rows_in: int = 0
    rows_out: int = 0
    steps: dict[str, float] = field(default_factory=dict)


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_measured(
    stage: str, cmd: list[str], env: dict, log: Path, heartbeat: float = 15.0
) -> tuple[float, float, str]:
    """Run ``cmd`` as a whole process; returns (seconds, peak tree RSS in GB, stdout).

    Prints a progress line every ``heartbeat`` seconds: stage, elapsed, memory and the last
    line the process wrote.
    """
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        stop = threading.Event()

        def sample():
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_rss_bytes(proc.pid))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        next_beat = started + heartbeat
        while proc.poll() is None:
            time.sleep(0.5)
            if time.monotonic() >= next_beat:
                next_beat += heartbeat
                print(
                    f"[bench] {stage}: {time.monotonic() - started:6.0f}s, "
                    f"{peak / 1e9:.2f} GB peak, last: {_last_line(log)[:100]}",
                    flush=True,
                )
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    text = log.read_text()
    if proc.returncode != 0:
        raise SystemExit(f"[bench] {stage} failed (exit {proc.returncode}); see {log}")
    return seconds, peak / 1e9, text


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except FileNotFoundError:
        return ""
    return lines[-1].split(" - ")[-1] if lines else ""


def batch_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))


def held_back(files: list[Path], row_counts: dict[Path, int], share: float) -> set[Path]:
    """The newest daily batches (by batch name), as many days as it takes to reach ``share`` of
    all rows: the data of the incremental day."""
    days = sorted({f.name.split(".")[0] for f in files}, reverse=True)
    total = sum(row_counts.values())
    out: set[Path] = set()
    for day in days[:-1]:  # never the full extract
        out |= {f for f in files if f.name.split(".")[0] == day}
        if sum(row_counts[f] for f in out) >= share * total:
            break
    return out


def count_rows(files: list[Path]) -> dict[Path, int]:
    import duckdb

    con = duckdb.connect()
    out = {}
    for f in files:
        out[f] = con.execute(
            f"select count(*) from read_csv('{f}', all_varchar = true)"
        ).fetchall()[0][0]
    return out


def link_landing(files: list[Path], source: Path, landing: Path) -> None:
    for f in files:
        target = landing / f.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            os.symlink(f, target)


def ensure_data(scale: str, seed: int, root: Path) -> Path:
    """Generated extracts for the scale, written once and reused (a stamp marks completion)."""
    source = root / f"{scale}-seed{seed}" / "source"
    stamp = source / ".complete"
    if stamp.exists():
        print(f"[bench] reusing {scale} data in {source}", flush=True)
        return source
    shutil.rmtree(source, ignore_errors=True)
    print(f"[bench] generating {scale} data (seed {seed}) into {source}", flush=True)
    subprocess.run(
        [sys.executable, "-m", "dagster_project.sample", "--scale", scale, "--seed", str(seed),
         "--out", str(source), "--gzip"],
        cwd=REPO, check=True,
    )  # fmt: skip
    stamp.write_text(json.dumps({"scale": scale, "seed": seed}))
    return source


def _published_rows(warehouse: Path) -> int:
    manifest = json.loads((warehouse / "published" / "manifest.json").read_text())
    return sum(m["rows"] for m in manifest["marts"].values())


def _rows_loaded(warehouse: Path, run_id: str) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse / "work.duckdb"), read_only=True)
    try:
        return con.execute(
            "select coalesce(sum(rows_read), 0) from ingest.load_log where run_id = ?", [run_id]
        ).fetchall()[0][0]
    finally:
        con.close()


def run_results_path(warehouse: Path, run_id: str) -> Path:
    """dbt's run_results.json of a run's dbt step (its target path is named by the run)."""
    return warehouse / "dbt-runs" / run_id[:8] / "run_results.json"


def hot_spots(warehouse: Path, run_id: str, top: int = 8) -> list[dict]:
    """The slowest dbt nodes of a run, from dbt's run_results.json."""
    path = run_results_path(warehouse, run_id)
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    ranked = sorted(results, key=lambda r: -r["execution_time"])[:top]
    return [
        {"node": r["unique_id"].split(".")[-1], "seconds": round(r["execution_time"], 2)}
        for r in ranked
    ]


def _node_times(run_results: dict) -> tuple[float, dict[str, float]]:
    """The span of a dbt invocation's nodes (first start to last end, in seconds) and the thread
    time of its nodes by resource type (model, test, ...)."""
    starts, ends, by_type = [], [], {}
    for r in run_results["results"]:
        kind = r["unique_id"].split(".")[0]
        by_type[kind] = by_type.get(kind, 0.0) + r["execution_time"]
        for t in r["timing"]:
            if t.get("started_at") and t.get("completed_at"):
                starts.append(datetime.fromisoformat(t["started_at"].replace("Z", "+00:00")))
                ends.append(datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00")))
    span = (max(ends) - min(starts)).total_seconds() if starts else 0.0
    return span, by_type


def outside_models(seconds: float, steps: dict[str, float], run_results: dict) -> dict:
    """Where a run's time goes besides building models: start-up and orchestration ("other"),
    ingestion, dbt's start-up (its step outside the node span), the dbt tests' share of the node
    span (by thread time: both threads are busy), the GX step and publishing.

    Every run does this work whatever changed (SPEC 4, 8 and 5: load what landed, test every
    key, gate every mart, publish whole files), so on an incremental day it is a floor under
    the incremental ratio that making models incremental cannot lower.
    """
    span, by_type = _node_times(run_results)
    node_time = sum(by_type.values())
    tests = span * by_type.get("test", 0.0) / node_time if node_time else 0.0
    parts = {
        "other": seconds - sum(steps.values()),
        "ingest": steps.get("ingest_extracts", 0.0),
        "dbt start-up": steps.get("dbt_models", 0.0) - span,
        "dbt tests": tests,
        "gx": steps.get("great_expectations", 0.0),
        "publish": steps.get("published_marts", 0.0),
    }
    parts = {k: round(max(v, 0.0), 2) for k, v in parts.items()}
    return {"seconds": round(sum(parts.values()), 2), "parts": parts}


def run_pipeline(stage: str, landing: Path, warehouse: Path, work: Path) -> tuple[Measure, dict]:
    summary_path = work / f"{stage}-summary.json"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FUNNEL_")},
        "FUNNEL_LANDING_DIR": str(landing),
        "FUNNEL_WAREHOUSE_DIR": str(warehouse),
        "FUNNEL_RUN_SUMMARY_JSON": str(summary_path),
    }
    # The run is recorded as `make run` records it: in a Dagster home with the repository's
    # dagster.yaml (one per bench run, beside its warehouse), so the event log's cost is measured.
    home = work / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(REPO / "dagster-instance.yaml", home / "dagster.yaml")
    env["DAGSTER_HOME"] = str(home)
    seconds, peak, _ = run_measured(
        stage, [sys.executable, "-m", "dagster_project.run"], env, work / f"{stage}.log"
    )
    summary = json.loads(summary_path.read_text())
    measure = Measure(
        stage,
        seconds,
        peak,
        rows_in=_rows_loaded(warehouse, summary["run_id"]),
        rows_out=_published_rows(warehouse),
        steps={k: round(v, 2) for k, v in summary["steps"].items()},
    )
    return measure, summary


def lineage_entries(path: Path) -> int:
    try:
        return len(json.loads(path.read_text()))
    except (OSError, ValueError):
        return 0


def table(measures: list[Measure]) -> str:
    lines = [
        f"{'stage':<24}{'wall s':>9}{'rows in':>14}{'rows out':>14}{'peak GB':>9}",
        "-" * 70,
    ]
    for m in measures:
        lines.append(
            f"{m.stage:<24}{m.seconds:>9.1f}{m.rows_in:>14,}{m.rows_out:>14,}{m.peak_rss_gb:>9.2f}"
        )
        for step, secs in m.steps.items():
            lines.append(f"  {step:<22}{secs:>9.1f}")
        if m.steps:
            # Python and Dagster start-up and the orchestration between steps: the fixed cost
            # every run pays, which the step times leave out.
            lines.append(f"  {'other (start-up)':<22}{m.seconds - sum(m.steps.values()):>9.1f}")
    return "\n".join(lines)


def _base_commit(commit: str) -> str:
    return commit.split("-", 1)[0]


def results_path(results_dir: Path, scale: str, commit: str) -> Path:
    """``<scale>-<commit>.json``; a repeat run at the same commit gets ``-run2``, ``-run3``...
    instead of overwriting the earlier result (runs on this machine drift; keep them all)."""
    path = results_dir / f"{scale}-{commit}.json"
    n = 2
    while path.exists():
        path = results_dir / f"{scale}-{commit}-run{n}.json"
        n += 1
    return path


def load_results(results_dir: Path, scale: str) -> list[tuple[Path, dict]]:
    """Every stored result of a scale, oldest first (by when it was measured)."""
    found = []
    for path in results_dir.glob(f"{scale}-*.json"):
        data = json.loads(path.read_text())
        if data.get("scale") == scale:
            found.append((path, data))
    return sorted(found, key=lambda item: item[1]["measured_at"])


def m_reference(results_dir: Path, commit: str) -> tuple[Path, dict] | None:
    """The m result to set an l run against: the newest at the same commit, else the newest."""
    ms = load_results(results_dir, "m")
    same = [item for item in ms if _base_commit(item[1]["commit"]) == _base_commit(commit)]
    return (same or ms or [None])[-1]


def spec_targets(result: dict, m_result: dict | None = None) -> list[dict]:
    """SPEC 9's targets against one result: what was measured, the limit, and whether it is
    met. ``applies`` is False for a target SPEC sets at another scale (shown for reference)."""
    at_l = result["scale"] == "l"
    full = result["full"]
    rows = [
        ("full refresh / read floor", result["full_over_floor"], FULL_OVER_FLOOR_MAX, at_l),
        ("full refresh seconds", round(full["seconds"], 1), FULL_SECONDS_MAX, at_l),
        (
            "peak memory GB",
            round(max(full["peak_rss_gb"], result["incremental"]["peak_rss_gb"]), 2),
            PEAK_GB_MAX,
            at_l,
        ),
        (
            "incremental day / full",
            result["incremental_over_full"],
            INCREMENTAL_OVER_FULL_MAX,
            True,
        ),
    ]
    if at_l and m_result is not None:
        ratio = round(full["seconds"] / m_result["full"]["seconds"], 2)
        rows.append(("l / m full refresh", ratio, L_OVER_M_MAX, True))
    return [
        {"target": name, "measured": value, "limit": limit, "met": value <= limit,
         "applies": applies}
        for name, value, limit, applies in rows
    ]  # fmt: skip


def target_lines(targets: list[dict]) -> list[str]:
    lines = []
    for t in targets:
        verdict = ("met" if t["met"] else "NOT MET") if t["applies"] else "(set for scale l)"
        lines.append(f"  {t['target']:<28}{t['measured']:>9} <= {t['limit']:<7} {verdict}")
    return lines


def comparison_lines(result: dict, previous: dict, previous_name: str) -> list[str]:
    """How this result differs from an earlier one of the same scale, stage by stage."""
    lines = [f"compared with {previous_name} (measured {previous['measured_at']}):"]
    for key, label in (
        ("floor", "floor"),
        ("full", "full refresh"),
        ("incremental", "incremental"),
    ):
        now, was = result[key]["seconds"], previous[key]["seconds"]
        lines.append(f"  {label:<20}{now:>8.1f}s  was {was:>7.1f}s  ({(now - was) / was:+.0%})")
    for key, label in (
        ("full_over_floor", "full / floor"),
        ("incremental_over_full", "incr / full"),
    ):
        lines.append(f"  {label:<20}{result[key]:>9}  was {previous[key]:>8}")
    return lines


def commit_id() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=REPO).returncode != 0
    return (out.stdout.strip() or "unknown") + ("-dirty" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="m", choices=["xs", "s", "m", "l"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--root", type=Path, default=REPO / "warehouse" / "bench")
    args = parser.parse_args(argv)

    source = ensure_data(args.scale, args.seed, args.root)
    work = args.root / f"{args.scale}-seed{args.seed}" / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    files = batch_files(source)
    counts = count_rows(files)
    later = held_back(files, counts, HOLD_BACK_SHARE)
    first = [f for f in files if f not in later]
    share = sum(counts[f] for f in later) / sum(counts.values())
    print(
        f"[bench] {len(files)} files, {sum(counts.values()):,} rows; the incremental day is "
        f"{len(later)} files, {sum(counts[f] for f in later):,} rows ({share:.2%})",
        flush=True,
    )

    # 1. floor
    plan: dict[str, list[str]] = {}
    for f in first:
        rel = f.relative_to(source)
        plan.setdefault(f"{rel.parts[0]}_{rel.parts[1]}", []).append(str(f))
    (work / "floor-plan.json").write_text(json.dumps(plan))
    print("[bench] floor: DuckDB reading the extracts into tables", flush=True)
    seconds, peak, out = run_measured(
        "floor",
        [sys.executable, "-c", FLOOR_SCRIPT, str(work / "floor-plan.json"),
         str(work / "floor.duckdb")],
        dict(os.environ), work / "floor.log",
    )  # fmt: skip
    floor_rows = json.loads(out.strip().splitlines()[-1])["rows"]
    floor = Measure("floor (DuckDB read)", seconds, peak, floor_rows, floor_rows)
    print(f"[bench] floor: {seconds:.1f}s, {floor_rows:,} rows, {peak:.2f} GB", flush=True)
    (work / "floor.duckdb").unlink()

    # 2. full refresh
    landing, warehouse = work / "landing", work / "warehouse"
    cached = lineage_entries(LINEAGE_CACHE)
    print(f"[bench] the project's lineage cache holds {cached} entries", flush=True)
    link_landing(first, source, landing)
    print("[bench] full refresh: extracts to published", flush=True)
    full, full_summary = run_pipeline("full", landing, warehouse, work)
    full.stage = "full refresh"
    print(f"[bench] full refresh: {full.seconds:.1f}s, {full.peak_rss_gb:.2f} GB", flush=True)

    # 3. incremental day
    link_landing(sorted(later), source, landing)
    print("[bench] incremental day: the held-back batches land, run again", flush=True)
    inc, inc_summary = run_pipeline("incremental", landing, warehouse, work)
    inc.stage = "incremental day"
    print(f"[bench] incremental day: {inc.seconds:.1f}s, {inc.peak_rss_gb:.2f} GB", flush=True)

    result = {
        "scale": args.scale,
        "seed": args.seed,
        "commit": commit_id(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
            "python": platform.python_version(),
        },
        "incremental_share_of_rows": round(share, 4),
        # 0: the full refresh also worked out every model's column lineage (some 23 s here,
        # whatever the scale), as the first run of a new version of the project does.
        "lineage_cache_entries_before_full": cached,
        # Results before 2026-11-23 ran on an in-memory Dagster instance, without this cost.
        "records_run_history": True,
        "floor": asdict(floor),
        "full": asdict(full),
        "incremental": asdict(inc),
        "full_over_floor": round(full.seconds / floor.seconds, 2),
        "incremental_over_full": round(inc.seconds / full.seconds, 3),
        "hot_spots_full": hot_spots(warehouse, full_summary["run_id"]),
        "hot_spots_incremental": hot_spots(warehouse, inc_summary["run_id"]),
    }
    inc_results = run_results_path(warehouse, inc_summary["run_id"])
    if inc_results.exists():
        outside = outside_models(inc.seconds, inc.steps, json.loads(inc_results.read_text()))
        result["incremental_outside_models"] = outside
        result["incremental_outside_models_over_full"] = round(outside["seconds"] / full.seconds, 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    earlier = load_results(RESULTS, args.scale)
    m_ref = m_reference(RESULTS, result["commit"]) if args.scale == "l" else None
    result["targets"] = spec_targets(result, m_ref[1] if m_ref else None)
    if m_ref:
        result["l_over_m_against"] = m_ref[0].name
    out_path = results_path(RESULTS, args.scale, result["commit"])
    out_path.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(table([floor, full, inc]))
    print()
    print(f"full / floor        {result['full_over_floor']:.2f}x")
    print(f"incremental / full  {result['incremental_over_full']:.3f}")
    if "incremental_outside_models" in result:
        outside = result["incremental_outside_models"]
        print(
            f"incremental day outside the models: {outside['seconds']:.1f}s "
            f"({result['incremental_outside_models_over_full']:.3f} of the full refresh; "
            + ", ".join(f"{k} {v:.1f}" for k, v in outside["parts"].items())
            + ")"
        )
    print("slowest dbt nodes (full):", ", ".join(
        f"{h['node']} {h['seconds']}s" for h in result["hot_spots_full"][:5]))  # fmt: skip
    print()
    print("SPEC 9 targets" + (f" (l / m against {m_ref[0].name})" if m_ref else "") + ":")
    print("\n".join(target_lines(result["targets"])))
    if earlier:
        print()
        print("\n".join(comparison_lines(result, earlier[-1][1], earlier[-1][0].name)))
    print(f"[bench] results: {out_path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

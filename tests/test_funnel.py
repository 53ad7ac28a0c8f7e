"""The funnel marts on real runs (xs sample): nothing depends on the wall clock, and the numbers
look like the business the generator simulated.

Two real Dagster runs with as_of_date 2026-11-05: one sees every batch (later ones included), the
other only the batches extracted by that day. The funnel as known on 2026-11-05 must be the same
in both, except for records a later batch deleted or excluded (deletes and exclusions follow the
current state by design: docs/metrics.md §2.4).
"""

import json
import shutil

import pytest
from support import failures, landing_up_to, query, run_refresh

from dagster_project.run import published_manifest
from dagster_project.sample.common import SOURCE_FUNNEL

pytestmark = pytest.mark.e2e
AS_OF = "2026-11-05"
CUTOFF_BATCH = "20261105T235959Z"
EVENT_COLUMNS = "person_id, cycle_no, stage, entered_at, is_inferred, is_strict, opportunity_id"


@pytest.fixture(scope="module")
def runs(xs_landing, dbt_manifest, tmp_path_factory):
    root = tmp_path_factory.mktemp("funnel")
    early = landing_up_to(xs_landing, CUTOFF_BATCH, root / "landing_early")
    for landing, name in ((xs_landing, "wh_full"), (early, "wh_early")):
        result = run_refresh(landing, root / name, as_of=AS_OF)
        assert result.success, failures(result)
    return {"full": root / "wh_full" / "work.duckdb", "early": root / "wh_early" / "work.duckdb"}


def test_replaying_an_earlier_day_gives_the_funnel_as_known_then(runs):
    full, early = runs["full"], runs["early"]
    (latest,) = query(full, "select max(entered_date) from marts.fct_funnel_stage_event")
    assert str(latest[0]) <= AS_OF
    manifest = json.loads((full.parent / "published" / "manifest.json").read_text())
    assert (manifest["as_of_date"], manifest["as_of_source"]) == (AS_OF, "FUNNEL_AS_OF_DATE")
    full_rows = set(query(full, f"select {EVENT_COLUMNS} from marts.fct_funnel_stage_event"))
    early_rows = set(query(early, f"select {EVENT_COLUMNS} from marts.fct_funnel_stage_event"))
    assert len(early_rows) > 1000
    differing = {r[0] for r in full_rows ^ early_rows}
    # What a later batch may legitimately change (current-state rules, docs/metrics.md §2.4): people
    # whose lead or contact was deleted afterwards (and prospects that pointed at them), and
    # people whose opportunity was deleted or is now in an excluded stage (a duplicate).
    changed_later = f"""
        select id from crm.lead where is_deleted and _batch > '{CUTOFF_BATCH}'
        union all
        select id from crm.contact where is_deleted and _batch > '{CUTOFF_BATCH}'
        union all
        select prospect_id from marketing.prospect where crm_lead_id in (
            select id from crm.lead where is_deleted and _batch > '{CUTOFF_BATCH}')
        union all
        select id from crm.opportunity
        where _batch > '{CUTOFF_BATCH}' and (is_deleted or stage_name in (
            select stage_name from lookup.stage_mapping where is_excluded))
    """
    ids = [r[0] for r in query(full, changed_later)]
    id_list = ",".join(f"'{i}'" for i in ids) or "''"
    explained = set()
    for db in (full, early):
        explained |= {
            r[0]
            for r in query(
                db,
                f"""
                select person_id from intermediate.int_funnel__identities
                where identity_id in ({id_list})
                union
                select person_id from marts.fct_funnel_stage_event
                where opportunity_id in ({id_list})
                """,
            )
        }
    assert differing <= explained, sorted(differing - explained)[:10]
    assert len(differing) < 0.02 * len({r[0] for r in early_rows})


def test_published_funnel_reads_like_the_simulated_business(runs):
    db = runs["full"]
    # Mature cohorts only, every lead source the generator simulates.
    rows = query(
        db,
        """
        select dimension_value, from_stage, to_stage,
               sum(entered_count), sum(converted_count)
        from marts.mart_funnel_conversion
        where cohort_grain = 'quarter' and mode = 'inclusive' and is_mature
          and dimension_type in ('lead_source', 'total')
        group by all
        """,
    )
    rate = {(v, f, t): c / e for v, f, t, e, c in rows if e}
    entered = {(v, f, t): e for v, f, t, e, c in rows}
    # MQL -> SAL is the generator's p(sal | mql) per source (recycled re-MQLs dilute it a little).
    expected = {src: p[3] for src, p in SOURCE_FUNNEL.items()}
    for src, p in expected.items():
        if entered.get((src, "mql", "sal"), 0) >= 40:
            assert abs(rate[(src, "mql", "sal")] - p) < 0.2, (src, rate[(src, "mql", "sal")], p)
    # Over every marketing source together (sales-sourced contacts reach SAL only by inference).
    mkt = [
        (entered[(s, "mql", "sal")], rate[(s, "mql", "sal")])
        for s in expected
        if (s, "mql", "sal") in rate
    ]
    pooled = sum(n * r for n, r in mkt) / sum(n for n, _ in mkt)
    assert min(expected.values()) - 0.1 < pooled < max(expected.values()) + 0.05, pooled
    # Win rate from the qualified band: the generator wins about 30% of qualified deals.
    won = rate[("total", "opportunity", "closed_won")]
    assert 0.15 < won < 0.45
    # Inclusive counts fall down the ladder in every cohort.
    ladder = query(
        db,
        """
        select count(*) from marts.mart_funnel_conversion as a
        join marts.mart_funnel_conversion as b
          using (cohort_grain, cohort_start_date, mode, dimension_type, dimension_value)
        where a.from_stage = 'known' and a.to_stage = 'engaged'
          and b.from_stage = 'known' and b.to_stage = 'closed_won'
          and b.converted_count > a.converted_count
        """,
    )
    assert ladder == [(0,)]


def test_funnel_marts_are_published(runs):
    pub = runs["full"].parent / "published" / "analytics.duckdb"
    tables = {r[0] for r in query(pub, "select table_name from information_schema.tables")}
    assert {
        "dim_person",
        "fct_funnel_stage_event",
        "mart_funnel_conversion",
        "mart_funnel_baseline",
        "mart_funnel_daily",
    } <= tables
    as_of = query(pub, "select distinct as_of_date from marts.mart_funnel_baseline")
    assert [str(r[0]) for r in as_of] == [AS_OF]


INCREMENTAL_BY_KEY_MODELS = {
    "marts.fct_funnel_stage_event": "fct_funnel_stage_event",
    "intermediate.int_funnel__conversions": "int_funnel__conversions",
    "marts.fct_opportunity_version": "fct_opportunity_version",
}


def _keys_recomputed(warehouse, result, model: str) -> tuple[int, int]:
    """How many keys (people, opportunities) the run's dbt build recomputed in ``model``, of
    how many (the saved digests name the dbt invocation that last recomputed each key)."""
    run_results = warehouse / "dbt-runs" / result.run_id[:8] / "run_results.json"
    invocation = json.loads(run_results.read_text())["metadata"]["invocation_id"]
    ((recomputed, people),) = query(
        warehouse / "work.duckdb",
        f"select count(*) filter (where computed_by_invocation_id = '{invocation}'), count(*) "
        f"from intermediate.{model}__digests",
    )
    return recomputed, people


def _assert_equal_to_a_full_refresh(warehouse, as_of: str, tmp_path) -> None:
    """Rebuild the incremental-by-key models from scratch on a copy and compare row for row."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    copy = tmp_path / f"rebuilt-{as_of}"
    copy.mkdir()
    shutil.copy(warehouse / "work.duckdb", copy / "work.duckdb")
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "run", "--full-refresh", "--select", *INCREMENTAL_BY_KEY_MODELS.values(),
         "--vars", json.dumps({"as_of_date": as_of}), "--target-path", str(copy / "target"),
         "--quiet"],
        cwd=Path(__file__).resolve().parents[1] / "dbt",
        env={**os.environ, "FUNNEL_WAREHOUSE_DIR": str(copy)}, check=True,
    )  # fmt: skip
    for table in INCREMENTAL_BY_KEY_MODELS:
        diff = query(
            warehouse / "work.duckdb",
            f"attach '{copy / 'work.duckdb'}' as rebuilt (read_only); "
            f"select count(*) from (select * from {table} except all "
            f"select * from rebuilt.{table}) union all "
            f"select count(*) from (select * from rebuilt.{table} except all "
            f"select * from {table})",
        )
        assert diff == [(0,), (0,)], (as_of, table, diff)


def _reschedule_meetings(work_db, landing, count: int = 10) -> None:
    """Land a correction moving ``count`` meetings to an hour before their person's SAL entry:
    the people's observations change in a date only, not in number or stage."""
    meetings = query(
        work_db,
        f"""
        select e.event_id, e.who_id, e.what_id, e.account_id, e.owner_id, e.subject, e.type,
               e.event_subtype, min(f.entered_at) - interval 1 hour, e.created_at
        from staging.stg_crm__events as e
        join intermediate.int_funnel__identities as i
          on i.identity_id = e.who_id and i.identity_type in ('lead', 'contact')
        join marts.fct_funnel_stage_event as f
          on f.person_id = i.person_id and f.stage = 'sal' and f.cycle_no = 1
        where e.type = 'Meeting' and e.start_date_time > f.entered_at
        group by all
        order by e.event_id
        limit {count}
        """,
    )
    assert len(meetings) == count

    def ts(value) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    lines = [
        "Id,WhoId,WhatId,AccountId,OwnerId,Subject,Type,EventSubtype,StartDateTime,"
        "ActivityDate,CreatedDate,SystemModstamp,IsDeleted"
    ]
    for *ids, start, created in meetings:
        fields = ["" if v is None else v for v in ids]
        modstamp = "2026-11-12T12:00:00.000+0000"
        row = [*fields, ts(start), start.date().isoformat(), ts(created), modstamp, "false"]
        lines.append(",".join(row))
    (landing / "crm" / "Event" / "20261112T120000Z.csv").write_text("\n".join(lines) + "\n")


def _correct_opportunity_amounts(work_db, landing, count: int = 10) -> None:
    """Land a correction to the first history row of ``count`` opportunities with later
    changes (amount up by 1,000): only OpportunityHistory changes, not the opportunity record,
    so only the history's digest can tell that their versions are stale."""
    rows = query(
        work_db,
        f"""
        select opportunity_history_id, opportunity_id, stage_name, amount_local + 1000,
               close_date, probability, forecast_category, created_at, created_by_id
        from staging.stg_crm__opportunity_history
        where amount_local is not null
        qualify row_number() over (
                    partition by opportunity_id order by created_at, opportunity_history_id
                ) = 1
            and count(*) over (partition by opportunity_id) > 1
        order by opportunity_history_id
        limit {count}
        """,
    )
    assert len(rows) == count
    lines = [
        "Id,OpportunityId,StageName,Amount,CloseDate,Probability,ForecastCategory,CreatedDate,"
        "CreatedById,IsDeleted"
    ]
    for *ids, amount, close_date, probability, forecast, created, created_by in rows:
        created_at = created.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        fields = [*ids, amount, close_date, probability, forecast, created_at, created_by]
        lines.append(",".join("" if v is None else str(v) for v in fields) + ",false")
    folder = landing / "crm" / "OpportunityHistory"
    (folder / "20261112T120000Z.csv").write_text("\n".join(lines) + "\n")


def test_incremental_by_key_models_equal_a_full_refresh(runs, xs_landing, tmp_path):
    """The early warehouse carried on with every later batch (new people, identity merges,
    deletes, meetings moved, opportunities changed, as_of_date eight days on), then a replay of
    an earlier day (as_of_date going back): each time the models incremental by person or by
    opportunity hold exactly what a rebuild gives, and the carry-on run recomputed only some
    of the keys."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(runs["early"].parent, warehouse)
    landing = tmp_path / "landing"
    shutil.copytree(xs_landing, landing)
    _reschedule_meetings(warehouse / "work.duckdb", landing)
    _correct_opportunity_amounts(warehouse / "work.duckdb", landing)

    later = run_refresh(landing, warehouse)
    assert later.success, failures(later)
    manifest = json.loads((warehouse / "published" / "manifest.json").read_text())
    assert manifest["as_of_date"] > AS_OF
    _assert_equal_to_a_full_refresh(warehouse, manifest["as_of_date"], tmp_path)
    for model in INCREMENTAL_BY_KEY_MODELS.values():
        recomputed, keys = _keys_recomputed(warehouse, later, model)
        assert 0 < recomputed < keys / 2, (model, recomputed, keys)

    # launched as a one-day backfill from the UI: the partition is the only input. It is
    # before the published day, so it is published beside the marts BI tools read.
    replay = run_refresh(landing, warehouse, partition="2026-11-08")
    assert replay.success, failures(replay)
    published = warehouse / "published"
    manifest = json.loads((published / "replays" / "2026-11-08" / "manifest.json").read_text())
    assert (manifest["as_of_date"], manifest["as_of_source"]) == (
        "2026-11-08",
        "partition chosen at launch",
    )
    assert json.loads((published / "manifest.json").read_text())["run_id"] == later.run_id
    # `make run`'s summary reads the manifest the run wrote, not the main one
    assert published_manifest(replay) == published / "replays" / "2026-11-08" / "manifest.json"
    assert published_manifest(later) == published / "manifest.json"
    # the replay's report is its own, as of its own day, beside its marts
    replay_report = published / "replays" / "2026-11-08" / manifest["report"]
    assert "Pipeline review as of Sunday 08 November 2026" in replay_report.read_text()
    _assert_equal_to_a_full_refresh(warehouse, "2026-11-08", tmp_path)


def test_baseline_volume_counts_people_and_entries_counts_cycles(runs):
    """docs/metrics.md §3.14: a person recycled inside the window counts once in `volume` and once
    per cycle in `entries`; recounted from the stage events and people, not the mart's own SQL."""
    db = runs["full"]
    recount = {
        stage: (people, entries)
        for stage, people, entries in query(
            db,
            f"""
            select e.stage, count(distinct e.person_id), count(*)
            from marts.fct_funnel_stage_event as e
            join marts.dim_person as p using (person_id)
            where p.known_date between date '{AS_OF}' - 364 and date '{AS_OF}'
              and e.entered_date between date '{AS_OF}' - 364 and date '{AS_OF}'
            group by 1
            """,
        )
    }
    published = query(
        db,
        """
        select from_stage, volume, entries from marts.mart_funnel_baseline
        where dimension_type = 'total' and is_adjacent
        """,
    )
    assert {stage for stage, *_ in published} <= set(recount)
    for stage, volume, entries in published:
        assert (volume, entries) == recount[stage], stage
    recycled = [s for s, v, e in published if e > v]
    assert "known" in recycled, "the sample recycles people inside the window"


def test_a_day_after_the_newest_batch_never_replaces_the_published_marts(
    runs, xs_landing, tmp_path
):
    """A run as of a day no extract covers yet (a UI launch of a later day, FUNNEL_AS_OF_DATE)
    publishes to published/ahead/<day>/ with a warning in its manifest and summary; the marts BI
    tools read stay as they were, and the next ordinary run publishes over them as usual."""
    from dagster_project.resources import FunnelSettings
    from dagster_project.run import _summary

    warehouse = tmp_path / "warehouse"
    shutil.copytree(runs["full"].parent, warehouse)
    published = warehouse / "published"
    main_before = (published / "manifest.json").read_bytes()
    ahead = run_refresh(xs_landing, warehouse, partition="2026-11-20")
    assert ahead.success, failures(ahead)
    assert (published / "manifest.json").read_bytes() == main_before
    manifest = json.loads((published / "ahead" / "2026-11-20" / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2026-11-20"
    (warning,) = manifest["warnings"]
    assert "after the newest loaded batch (2026-11-13)" in warning
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FUNNEL_WAREHOUSE_DIR", str(warehouse))
        text, ok = _summary(ahead, FunnelSettings(), 1.0, {})
    assert ok and "warnings: 1" in text and warning in text
    assert "not the marts BI tools read" in text

    ordinary = run_refresh(xs_landing, warehouse)
    assert ordinary.success, failures(ordinary)
    manifest = json.loads((published / "manifest.json").read_text())
    assert (manifest["as_of_date"], manifest["warnings"]) == ("2026-11-13", [])

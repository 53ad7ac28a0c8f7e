"""The published report and the self-describing marts, as people and BI tools meet them: the
report opened in a real browser (Debian's Chromium, headless), the marts read by a real BI
client (the DuckDB command-line client from PyPI), comments and Parquet metadata read back."""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support import query

from dagster_project.report.format import (
    MISSING,
    amount,
    metric_value,
    pct,
    rag_reason,
    ratio,
)

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root in a sandbox without a GPU or network: the flags Chromium needs to start quietly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# -- the formatting and the colour reasons, on their own ---------------------------------------


def _cell(**kw) -> dict:
    base = {
        "rag_status": "grey",
        "rag_basis": "coverage",
        "rag_measure": None,
        "rag_green_from": None,
        "rag_yellow_from": None,
        "pct_period_elapsed": 0.5,
        "value": None,
        "target_to_date": None,
        "target_period": None,
    }
    return {**base, **kw}


def test_numbers_are_written_plainly_and_missing_values_are_a_dash():
    assert amount(1207179.4) == "1,207,179"
    assert amount(float("nan")) == amount(None) == MISSING
    assert pct(0.24387) == "24.4%" and pct(-0.1708, signed=True) == "-17.1%"
    assert ratio(4.4314) == "4.43\u00d7"
    assert metric_value("coverage_remaining", 2.5) == ratio(2.5)
    assert metric_value("open_pipeline", 2.5) == "2"  # whole units, rounded half to even


def test_each_colour_reason_names_its_basis_and_thresholds():
    """docs/metrics.md §3.9's worked example: pacing 0.90 is yellow; remaining coverage 2.73x
    against 3.33x required is yellow."""
    pacing = rag_reason(
        _cell(
            rag_status="yellow",
            rag_basis="pacing",
            rag_measure=0.9,
            rag_green_from=1.0,
            rag_yellow_from=0.85,
            value=450,
            target_to_date=500,
        )
    )
    assert pacing == (
        "Yellow: pacing 0.90 (450 to date against 500 targeted by today); green from 1.00, "
        "yellow from 0.85."
    )
    coverage = rag_reason(
        _cell(
            rag_status="yellow",
            rag_measure=1500 / 550,
            rag_green_from=1 / 0.3,
            rag_yellow_from=0.8 / 0.3,
        )
    )
    assert coverage == (
        "Yellow: remaining coverage 2.73\u00d7 against the 3.33\u00d7 the trailing win rate "
        "requires; yellow from 2.67\u00d7."
    )
    attainment = rag_reason(
        _cell(
            rag_status="red",
            rag_basis="attainment",
            rag_measure=0.5,
            rag_green_from=1.0,
            rag_yellow_from=0.85,
            target_period=1000,
        )
    )
    assert attainment.startswith("Red: 50.0% of the quarter's target of 1,000")
    assert rag_reason(_cell(rag_basis="too_early", pct_period_elapsed=0.05)).startswith(
        "Grey: too early in the quarter to judge (5.0% elapsed)"
    )
    assert rag_reason(_cell(rag_status="green", rag_basis="target_met")).startswith(
        "Green: closed won already reaches"
    )
    assert rag_reason(_cell(rag_basis="pacing")) == (
        "Grey: no target or nothing to compare for this slice."
    )


# -- what a run published ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(xs_warehouse) -> Path:
    return xs_warehouse / "published"


@pytest.fixture(scope="module")
def manifest(published) -> dict:
    return json.loads((published / "manifest.json").read_text())


@pytest.mark.e2e
def test_every_table_and_column_carries_its_description(published, manifest):
    """DuckDB comments (what a BI tool's schema browser shows) and the Parquet files' metadata
    say what the manifest says, for every mart and column; each mart's comment states its
    grain."""
    db = published / "analytics.duckdb"
    tables = dict(
        query(db, "select table_name, comment from duckdb_tables() where schema_name = 'marts'")
    )
    columns = {
        (t, c): comment
        for t, c, comment in query(
            db,
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'marts'",
        )
    }
    assert set(tables) == set(manifest["marts"])
    for mart, about in manifest["marts"].items():
        assert tables[mart] == about["description"], mart
        assert about["grain"].startswith("One row per "), mart
        assert about["grain"][1:] in about["description"], mart
        described = {c["name"]: c["description"] for c in about["columns"]}
        assert {c for (t, c) in columns if t == mart} == set(described), mart
        for name, text in described.items():
            assert text and columns[(mart, name)] == text, (mart, name)
        meta = pq.read_metadata(published / about["parquet"]).metadata
        assert meta[b"description"].decode() == about["description"], mart
        assert json.loads(meta[b"column_descriptions"]) == described, mart


@pytest.mark.e2e
def test_a_bi_client_with_an_older_duckdb_reads_the_published_marts(published):
    """The DuckDB command-line client from PyPI (an older DuckDB than the pipeline's) opens
    the published file read-only and gets the same numbers as the pipeline."""
    cli = Path(sys.executable).with_name("duckdb")
    assert cli.exists(), "the dev dependencies install duckdb-cli into the venv"
    db = published / "analytics.duckdb"
    sql = (
        "select metric, value from marts.mart_apm where dimension_type = 'total' "
        "and as_of_date = (select max(as_of_date) from marts.mart_apm) order by all"
    )
    out = subprocess.run(
        [str(cli), "-readonly", "-json", str(db), "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = [(r["metric"], r["value"]) for r in json.loads(out)]
    expected = query(db, sql)
    assert len(seen) == len(expected) > 0
    for (m1, v1), (m2, v2) in zip(seen, expected, strict=True):
        assert m1 == m2
        assert (v1 is None and v2 is None) or math.isclose(v1, v2, rel_tol=1e-12)
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
    assert not version.startswith("v2"), "the test is only worth it with an older client"


@pytest.fixture(scope="module")
def page(published, manifest):
    """The report opened from the file system in headless Chromium; the page, the errors the
    browser reported and every URL it asked for."""
    sync_api = pytest.importorskip("playwright.sync_api")
    report = published / manifest["report"]
    assert report.exists()
    errors, requests = [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1500, "height": 1000})
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(report.as_uri(), wait_until="load")
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
            cells = tab.eval_on_selector_all(
                "table.apm td.cell[data-metric]",
                """cells => cells.map(c => ({
                    period: c.closest('table').dataset.fiscalPeriod,
                    type: c.dataset.dimensionType, value: c.dataset.dimensionValue,
                    metric: c.dataset.metric, rag: c.dataset.rag,
                    background: getComputedStyle(c).backgroundColor,
                    shown: c.querySelector('.value').textContent.trim(),
                    title: c.getAttribute('title')}))""",
            )
            funnel = tab.eval_on_selector_all(
                "table.funnel tbody tr",
                """rows => rows.map(r => ({from: r.dataset.fromStage, to: r.dataset.toStage,
                    volume: r.querySelector('[data-column=volume]').textContent.trim(),
                    largest: r.classList.contains('largest-drop')}))""",
            )
            waterfalls = tab.eval_on_selector_all(
                "table.waterfall",
                """tables => tables.map(t => ({window: t.dataset.windowType,
                    rows: [...t.querySelectorAll('tbody tr')].map(r => [r.dataset.bucket,
                        r.querySelector('[data-column=amount_corp]').textContent.trim()])}))""",
            )
            levers = tab.eval_on_selector_all(
                "table.levers",
                """tables => tables.map(t => ({period: t.dataset.fiscalPeriod,
                    rows: [...t.querySelectorAll('tbody tr')].map(r => ({
                        lever: r.dataset.lever, channel: r.dataset.channel,
                        cells: Object.fromEntries([...r.querySelectorAll('[data-column]')]
                            .map(c => [c.dataset.column, c.textContent.trim()]))}))}))""",
            )
            pipe_gen = tab.eval_on_selector_all(
                "table.pipe-gen tbody tr",
                """rows => rows.map(r => ({type: r.dataset.dimensionType,
                    value: r.dataset.dimensionValue,
                    rag: r.querySelector('[data-column=pacing]').dataset.rag,
                    cells: Object.fromEntries([...r.querySelectorAll('[data-column]')]
                        .map(c => [c.dataset.column, c.textContent.trim()]))}))""",
            )
            hygiene = tab.eval_on_selector_all(
                "table.hygiene tbody tr",
                """rows => rows.map(r => [r.dataset.reason,
                    r.querySelector('[data-column=deals]').textContent.trim(),
                    r.querySelector('[data-column=acv_corp]').textContent.trim(),
                    r.querySelector('[data-column=share_of_deals]').textContent.trim()])""",
            )
            sotu = tab.eval_on_selector_all(
                "table.sotu tbody tr",
                """rows => rows.map(r => ({type: r.dataset.dimensionType,
                    value: r.dataset.dimensionValue,
                    cells: Object.fromEntries([...r.querySelectorAll('[data-column]')]
                        .map(c => [(c.dataset.period || 'quarter_to_date') + ':'
                            + c.dataset.column, c.textContent.trim()])),
                    rags: Object.fromEntries([...r.querySelectorAll('[data-rag]')]
                        .map(c => [c.dataset.period, c.dataset.rag]))}))""",
            )
            amp = tab.eval_on_selector_all(
                "table.amp tbody tr",
                """rows => rows.map(r => ({type: r.dataset.dimensionType,
                    value: r.dataset.dimensionValue,
                    cells: Object.fromEntries([...r.querySelectorAll('[data-column]')]
                        .map(c => [c.dataset.column, c.textContent.trim()]))}))""",
            )
            notable = tab.eval_on_selector_all(
                "table.notable",
                """tables => tables.map(t => ({period: t.dataset.periodType,
                    category: t.dataset.category,
                    deals: [...t.querySelectorAll('tbody tr')]
                        .map(r => r.dataset.opportunity)}))""",
            )
            charts = tab.locator("figure svg").count()
            title = tab.title()
        finally:
            browser.close()
    return {
        "errors": errors,
        "requests": requests,
        "cells": cells,
        "funnel": funnel,
        "waterfalls": waterfalls,
        "levers": levers,
        "pipe_gen": pipe_gen,
        "hygiene": hygiene,
        "sotu": sotu,
        "amp": amp,
        "notable": notable,
        "charts": charts,
        "title": title,
    }


@pytest.mark.e2e
def test_the_report_opens_from_disk_without_errors_or_network(page, manifest):
    assert page["errors"] == []
    assert page["requests"] and all(u.startswith(("file:", "data:")) for u in page["requests"])
    assert page["title"] == f"Pipeline review as of {manifest['as_of_date']}"
    # two waterfalls, the trend, daily pipe gen, state of the union, AMP, forecast accuracy,
    # the funnel, and a lever chart per quarter
    assert len(page["levers"]) == 2
    assert page["charts"] == 10
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


@pytest.mark.e2e
def test_every_apm_cell_shows_the_marts_value_and_colour(page, published, manifest):
    """Each cell of the review is the mart_apm row its hover text names: the same rounded value
    and the RAG status's colour."""
    rows = query(
        published / "analytics.duckdb",
        "select fiscal_period, dimension_type, dimension_value, metric, value, rag_status "
        f"from marts.mart_apm where as_of_date = date '{manifest['as_of_date']}'",
    )
    mart = {(p, t, v, m): (value, rag) for p, t, v, m, value, rag in rows}
    colours = {}
    assert len(page["cells"]) == 6 * len({(p, t, v) for p, t, v, _ in mart})
    for cell in page["cells"]:
        key = (cell["period"], cell["type"], cell["value"], cell["metric"])
        value, rag = mart[key]
        assert cell["rag"] == rag, key
        assert cell["shown"] == metric_value(cell["metric"], value), key
        assert cell["title"].startswith(rag.capitalize() + ":"), key
        assert (
            "Source: mart_apm where "
            f"as_of_date = '{manifest['as_of_date']}' and fiscal_period = '{key[0]}'"
        ) in cell["title"]
        colours.setdefault(rag, set()).add(cell["background"])
    # one colour per status, a different one for each
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)
    assert {"green", "red"} <= set(colours), "the sample makes the review say something"


@pytest.mark.e2e
def test_the_funnel_section_shows_the_baseline_and_its_largest_drop_off(page, published, manifest):
    rows = query(
        published / "analytics.duckdb",
        "select from_stage, to_stage, volume, is_largest_drop_off from marts.mart_funnel_baseline "
        f"where as_of_date = date '{manifest['as_of_date']}' and dimension_type = 'total' "
        "and is_adjacent",
    )
    shown = {(r["from"], r["to"]): (r["volume"], r["largest"]) for r in page["funnel"]}
    assert shown == {(f, t): (amount(v), bool(big)) for f, t, v, big in rows}
    assert sum(largest for _, largest in shown.values()) == 1


@pytest.mark.e2e
def test_make_report_prints_the_published_report(xs_warehouse):
    out = subprocess.run(
        ["make", "-s", "report"],
        cwd=REPO,
        env={**os.environ, "FUNNEL_WAREHOUSE_DIR": str(xs_warehouse), "DISPLAY": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == str(xs_warehouse / "published" / "report" / "index.html")


@pytest.mark.e2e
def test_the_waterfall_section_starts_and_ends_at_the_apms_open_pipeline(page, published, manifest):
    """Since the quarter's eve and since the last review: each bucket as the mart has it, and
    the start and end bars equal mart_apm's open pipeline on those days."""
    db = published / "analytics.duckdb"
    as_of = manifest["as_of_date"]
    shown = {w["window"]: dict(w["rows"]) for w in page["waterfalls"]}
    assert set(shown) == {"quarter_to_date", "week"}
    for window, rows in shown.items():
        mart = query(
            db,
            "select bucket, amount_corp, window_start_date, fiscal_period "
            "from marts.mart_pipeline_waterfall where dimension_type = 'total' "
            f"and window_type = '{window}' and window_end_date = date '{as_of}' "
            "and fiscal_period = (select fiscal_period from marts.mart_apm where as_of_date = "
            f"date '{as_of}' and date '{as_of}' between period_start_date and period_end_date "
            "limit 1) order by bucket_order",
        )
        assert rows == {bucket: amount(value) for bucket, value, _, _ in mart}
        start_day, quarter = mart[0][2], mart[0][3]
        for bucket, day in (("start", start_day), ("end", as_of)):
            (apm,) = query(
                db,
                "select value from marts.mart_apm where metric = 'open_pipeline' "
                f"and dimension_type = 'total' and as_of_date = date '{day}' "
                f"and fiscal_period = '{quarter}'",
            )
            assert rows[bucket] == amount(apm[0]), (window, bucket)


@pytest.mark.e2e
def test_the_lever_tables_show_the_marts_rows(page, published):
    """Every lever and channel row of both quarters is its mart_marketing_levers row (all lead
    sources): the same cost, responses, sourced pipeline and ROI as the page rounds them."""
    columns = ["actual_cost", "responses", "sourced_pipeline_w_shaped", "roi_w_shaped"]
    for table in page["levers"]:
        rows = query(
            published / "analytics.duckdb",
            f"select marketing_lever, marketing_channel, {', '.join(columns)} "
            "from marts.mart_marketing_levers "
            f"where lead_source = 'all' and fiscal_period = '{table['period']}'",
        )
        expected = {
            (lever, channel): {
                "actual_cost": amount(cost),
                "responses": amount(responses),
                "sourced_pipeline_w_shaped": amount(pipeline),
                "roi_w_shaped": pct(roi, signed=True),
            }
            for lever, channel, cost, responses, pipeline, roi in rows
        }
        shown = {
            (r["lever"], r["channel"]): {c: r["cells"][c] for c in columns} for r in table["rows"]
        }
        assert shown == expected, table["period"]
        assert ("unattributed", "unattributed") in shown


@pytest.mark.e2e
def test_the_daily_pipe_gen_table_is_the_marts_rows_on_as_of_date(page, published, manifest):
    rows = query(
        published / "analytics.duckdb",
        "select dimension_type, dimension_value, pipeline_generated_qtd, target_to_date, "
        "pacing, rag_status, required_run_rate from marts.mart_daily_pipe_gen "
        f"where is_current_quarter and date_day = date '{manifest['as_of_date']}' "
        "and dimension_type in ('total', 'source', 'region', 'segment')",
    )
    expected = {
        (kind, value): (amount(qtd), amount(to_date), ratio(pacing), status, amount(needed))
        for kind, value, qtd, to_date, pacing, status, needed in rows
    }
    shown = {
        (r["type"], r["value"]): (
            r["cells"]["pipeline_generated_qtd"],
            r["cells"]["target_to_date"],
            r["cells"]["pacing"],
            r["rag"],
            r["cells"]["required_run_rate"],
        )
        for r in page["pipe_gen"]
    }
    assert shown == expected
    assert ("total", "total") in shown


@pytest.mark.e2e
def test_the_clean_your_room_reasons_are_the_marts_total_rows(page, published, manifest):
    rows = query(
        published / "analytics.duckdb",
        "select reason, deals, acv_corp, share_of_deals from marts.mart_clean_your_room "
        f"where report_date = date '{manifest['as_of_date']}' and dimension_type = 'total'",
    )
    expected = {reason: [amount(d), amount(a), pct(s)] for reason, d, a, s in rows}
    shown = {reason: cells for reason, *cells in page["hygiene"]}
    assert shown == expected
    assert page["hygiene"][0][0] == "any"


@pytest.mark.e2e
def test_the_state_of_the_union_table_is_the_marts_current_rows(page, published):
    """Every cell of the State of the Union table is the mart's row for its period and slice:
    closed won, pacing with its colour and the change on last year per period; win rate,
    average deal size and pipeline generated of the quarter."""
    rows = query(
        published / "analytics.duckdb",
        "select period_type, dimension_type, dimension_value, closed_won_acv, pacing, "
        "rag_status, closed_won_yoy_pct, win_rate_count, average_deal_size, pipeline_generated "
        "from marts.mart_state_of_the_union where is_current "
        "and dimension_type in ('total', 'segment', 'region')",
    )
    expected: dict[tuple, dict] = {}
    for period, kind, value, won, pacing, rag, yoy, rate, size, generated in rows:
        slice_ = expected.setdefault((kind, value), {"cells": {}, "rags": {}})
        slice_["cells"].update(
            {
                f"{period}:closed_won_acv": amount(won),
                f"{period}:pacing": ratio(pacing),
                f"{period}:closed_won_yoy_pct": pct(yoy, signed=True),
            }
        )
        slice_["rags"][period] = rag
        if period == "quarter_to_date":
            slice_["cells"].update(
                {
                    "quarter_to_date:win_rate_count": pct(rate),
                    "quarter_to_date:average_deal_size": amount(size),
                    "quarter_to_date:pipeline_generated": amount(generated),
                }
            )
    shown = {
        (r["type"], r["value"]): {"cells": r["cells"], "rags": r["rags"]} for r in page["sotu"]
    }
    assert shown == expected
    assert ("total", "total") in shown and len(shown) > 3


@pytest.mark.e2e
def test_the_amp_table_is_the_marts_quarter_to_date(page, published, manifest):
    rows = query(
        published / "analytics.duckdb",
        "select dimension_type, dimension_value, activities_qtd, meetings_held_qtd, "
        "opportunities_created_qtd, pipeline_generated_qtd, meetings_per_opportunity_qtd "
        "from marts.mart_amp_weekly where pipeline_source = 'all' "
        f"and week_end_date = date '{manifest['as_of_date']}' "
        "and dimension_type in ('total', 'role', 'team')",
    )
    expected = {
        (kind, value): [amount(a), amount(m), amount(o), amount(p), ratio(r)]
        for kind, value, a, m, o, p, r in rows
    }
    columns = [
        "activities_qtd",
        "meetings_held_qtd",
        "opportunities_created_qtd",
        "pipeline_generated_qtd",
        "meetings_per_opportunity_qtd",
    ]
    shown = {(r["type"], r["value"]): [r["cells"][c] for c in columns] for r in page["amp"]}
    assert shown == expected
    assert page["amp"][0]["type"] == "total"


@pytest.mark.e2e
def test_the_notable_deal_lists_are_the_marts_top_five(page, published):
    rows = query(
        published / "analytics.duckdb",
        "select period_type, category, opportunity_id from marts.mart_notable_deals "
        "where deal_rank <= 5 order by deal_rank",
    )
    expected: dict[tuple, list] = {}
    for period, category, deal in rows:
        expected.setdefault((period, category), []).append(deal)
    shown = {(t["period"], t["category"]): t["deals"] for t in page["notable"]}
    assert shown == expected
    assert ("quarter", "open_closing_this_quarter") in shown

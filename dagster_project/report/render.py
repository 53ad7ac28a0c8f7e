"""Build the report page from a published DuckDB file and its manifest.

A section is a query and a template of the same name (``sections/<name>.sql``,
``templates/<name>.html.j2``) plus, when the rows need shaping for the page, a function here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from dagster_project.report import charts
from dagster_project.report.dashboards import (
    shape_amp_weekly,
    shape_clean_your_room,
    shape_daily_pipe_gen,
    shape_notable_deals,
    shape_state_of_the_union,
)
from dagster_project.report.format import (
    METRIC_LABELS,
    amount,
    metric_value,
    pct,
    rag_reason,
    ratio,
    records,
    source_ref,
)

PACKAGE = resources.files("dagster_project.report")
REVIEW_METRICS = [
    "forecast_commit",
    "forecast_best_case",
    "closed_won_acv",
    "open_pipeline",
    "pipeline_generation",
    "coverage_remaining",
]


def shape_apm_review(rows: pd.DataFrame, as_of: date) -> dict:
    """Per quarter: its slices in review order, each with one cell per review metric."""
    quarters = []
    for period, in_period in rows.groupby("fiscal_period", sort=False):
        first = in_period.iloc[0]
        slices: dict[tuple, dict] = {}
        for cell in records(in_period):
            if cell["metric"] not in REVIEW_METRICS:
                continue
            key = (cell["dimension_type"], cell["dimension_value"])
            row = slices.setdefault(
                key, {"dimension_type": key[0], "dimension_value": key[1], "cells": {}}
            )
            cell["reason"] = rag_reason(cell)
            cell["source"] = source_ref(
                "mart_apm",
                as_of_date=as_of.isoformat(),
                fiscal_period=period,
                dimension_type=key[0],
                dimension_value=key[1],
                metric=cell["metric"],
            )
            row["cells"][cell["metric"]] = cell
        quarters.append(
            {
                "fiscal_period": period,
                "start": first["period_start_date"],
                "end": first["period_end_date"],
                "pct_elapsed": first["pct_period_elapsed"],
                "is_current": first["period_start_date"] <= pd.Timestamp(as_of),
                "slices": list(slices.values()),
            }
        )
    return {"quarters": quarters, "metrics": REVIEW_METRICS}


def shape_trend(rows: pd.DataFrame, as_of: date) -> dict:
    periods = list(dict.fromkeys(rows.sort_values("as_of_date")["fiscal_period"]))
    return {
        "svg": charts.trend_chart(rows, REVIEW_METRICS) if len(rows) else None,
        "periods": periods,
        "days": rows["as_of_date"].nunique(),
    }


def shape_funnel(rows: pd.DataFrame, as_of: date) -> dict:
    pairs = records(rows)
    stages = rows.drop_duplicates("from_stage")[["from_stage", "volume", "is_largest_drop_off"]]
    # A stage with two exits (won, lost) is highlighted when either exit is the largest drop.
    largest = set(rows.loc[rows["is_largest_drop_off"], "from_stage"])
    stages = stages.assign(is_largest_drop_off=stages["from_stage"].isin(largest))
    worst = next((p for p in pairs if p["is_largest_drop_off"]), None)
    return {
        "pairs": pairs,
        "worst": worst,
        "svg": charts.funnel_chart(stages) if len(stages) else None,
        "window": (pairs[0]["window_start_date"], pairs[0]["window_end_date"]) if pairs else None,
    }


WINDOW_TITLES = {"quarter_to_date": "Since the quarter started", "week": "Since the last review"}
BUCKET_LABELS = {
    "start": "Open pipeline at the start",
    "created": "Created",
    "pulled_in": "Pulled in",
    "requalified": "Requalified",
    "increased": "Increased",
    "fx_revaluation": "FX revaluation",
    "decreased": "Decreased",
    "won": "Won",
    "lost": "Lost",
    "pushed_out": "Pushed out",
    "slipped": "Slipped",
    "pulled_out": "Pulled out",
    "removed": "Removed",
    "transferred_in": "Transferred in",
    "transferred_out": "Transferred out",
    "end": "Open pipeline at the end",
}


def shape_waterfall(rows: pd.DataFrame, as_of: date) -> dict:
    """Per window (since the quarter's eve, since the last review): its buckets in order."""
    windows = []
    for window_type, in_window in rows.groupby("window_type", sort=False):
        buckets = records(in_window.sort_values("bucket_order"))
        for b in buckets:
            b["label"] = BUCKET_LABELS[b["bucket"]]
        first = buckets[0]
        windows.append(
            {
                "window_type": window_type,
                "title": WINDOW_TITLES[window_type],
                "start": first["window_start_date"],
                "end": first["window_end_date"],
                "fiscal_period": first["fiscal_period"],
                "buckets": buckets,
                "svg": charts.waterfall_chart(buckets),
            }
        )
    # since the quarter started first
    windows.sort(key=lambda w: list(WINDOW_TITLES).index(w["window_type"]))
    return {"windows": windows}


def shape_forecast_accuracy(rows: pd.DataFrame, as_of: date) -> dict:
    """Per closed quarter: its accuracy on the first review, at mid-quarter and on the last."""
    quarters = []
    for period, days in rows.groupby("fiscal_period", sort=False):
        middle = days[days["day_of_quarter"] >= 45]
        quarters.append(
            {
                "fiscal_period": period,
                "final": days["final_closed_won"].iloc[0],
                "first": days["accuracy_pct"].iloc[0],
                "middle": middle["accuracy_pct"].iloc[0] if len(middle) else None,
                "last": days["accuracy_pct"].iloc[-1],
                "mean_abs_error": days["abs_pct_error"].mean(),
            }
        )
    return {
        "quarters": quarters,
        "svg": charts.accuracy_chart(rows) if len(rows) else None,
    }


def shape_marketing_levers(rows: pd.DataFrame, as_of: date) -> dict:
    """Per quarter (the current one first): its lever and channel rows and their chart."""
    quarters = []
    for period, in_period in rows.groupby("fiscal_period", sort=False):
        quarters.append(
            {
                "fiscal_period": period,
                "is_current": bool(in_period["is_current"].iloc[0]),
                "rows": records(in_period),
                "svg": charts.lever_chart(in_period),
            }
        )
    return {"quarters": quarters}


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    shape: Callable[[pd.DataFrame, date], dict] = field(
        default=lambda rows, as_of: {"rows": records(rows)}
    )

    def query(self) -> str:
        return (PACKAGE / "sections" / f"{self.name}.sql").read_text()


SECTIONS = [
    Section("apm_review", "The weekly APM review", shape_apm_review),
    Section("waterfall", "Why the pipeline moved", shape_waterfall),
    Section("trend", "Trend through the quarter", shape_trend),
    Section("daily_pipe_gen", "Daily pipeline generation", shape_daily_pipe_gen),
    Section("clean_your_room", "Clean Your Room", shape_clean_your_room),
    Section("state_of_the_union", "State of the Union", shape_state_of_the_union),
    Section("notable_deals", "The deals behind the month", shape_notable_deals),
    Section("amp_weekly", "Activities, meetings, pipeline (AMP)", shape_amp_weekly),
    Section("forecast_accuracy", "Forecast accuracy", shape_forecast_accuracy),
    Section("funnel", "The funnel against its 12-month baseline", shape_funnel),
    Section("marketing_levers", "What marketing spend produced", shape_marketing_levers),
    Section("campaign_strategies", "Campaign strategies over their lifetime"),
]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dagster_project.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        amount=amount, pct=pct, ratio=ratio, metric_value=metric_value, source=source_ref
    )
    env.globals.update(METRIC_LABELS=METRIC_LABELS)
    return env


def build_report(db_path: Path, manifest: dict) -> str:
    """The report page for the published set in ``db_path`` described by ``manifest``."""
    as_of = date.fromisoformat(manifest["as_of_date"])
    env = _environment()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        sections = []
        for section in SECTIONS:
            sql = section.query()
            params = {"as_of_date": as_of} if "$as_of_date" in sql else {}
            rows = con.execute(sql, params).df()
            sections.append(
                {
                    "name": section.name,
                    "title": section.title,
                    "html": env.get_template(f"{section.name}.html.j2").render(
                        as_of=as_of, **section.shape(rows, as_of)
                    ),
                }
            )
    finally:
        con.close()
    return env.get_template("report.html.j2").render(
        manifest=manifest, as_of=as_of, sections=sections
    )

"""Shaping the four sales dashboards' rows for the report page (State of the Union, AMP, Daily
Pipe Gen, Clean Your Room): plain functions of a section's rows and the as-of day."""

from datetime import date

import pandas as pd

from dagster_project.report import charts
from dagster_project.report.format import records


def shape_daily_pipe_gen(rows: pd.DataFrame, as_of: date) -> dict:
    """The total's days for the chart; every slice's row on as_of_date for the table."""
    total = rows[rows["dimension_type"] == "total"]
    return {
        "fiscal_period": rows["fiscal_period"].iloc[0] if len(rows) else None,
        "svg": charts.pipe_gen_chart(total) if len(total) else None,
        "slices": records(rows[rows["is_as_of"]]),
    }


REASON_LABELS = {
    "any": "Any of these",
    "past_due": "Past its close date",
    "no_recent_activity": "No recent activity",
    "stuck": "Longer in its stage than the stage's SLA",
    "pushed_repeatedly": "Pushed twice or more",
    "missing_amount": "No amount",
    "missing_close_date": "No close date",
    "missing_next_step": "No next step",
    "amount_changed_7d": "Amount changed this week",
    "close_date_changed_7d": "Close date changed this week",
    "stage_regressed_7d": "Moved back a stage this week",
}


def shape_clean_your_room(rows: pd.DataFrame, as_of: date) -> dict:
    """The total's reasons in a fixed order ('any' first); the owners with a flagged deal."""
    total = rows[rows["dimension_type"] == "total"].set_index("reason")
    reasons = [r for r in REASON_LABELS if r in total.index]
    owners = rows[(rows["dimension_type"] == "owner") & (rows["deals"] > 0)]
    return {
        "reasons": records(total.loc[reasons].reset_index()) if reasons else [],
        "owners": records(owners),
        "REASON_LABELS": REASON_LABELS,
    }


SOTU_PERIODS = ["month", "quarter_to_date", "year_to_date"]


def shape_state_of_the_union(rows: pd.DataFrame, as_of: date) -> dict:
    """The current month, quarter and year side by side per total, segment and region; the
    total's months for the chart; the owners leading the quarter."""
    current = rows[rows["is_current"]]
    slices = []
    fixed = current[current["dimension_type"].isin(["total", "segment", "region"])]
    for (kind, value), in_slice in fixed.groupby(["dimension_type", "dimension_value"], sort=False):
        by_period = {r["period_type"]: r for r in records(in_slice)}
        slices.append({"dimension_type": kind, "dimension_value": value, "periods": by_period})
    total_months = rows[(rows["dimension_type"] == "total") & (rows["period_type"] == "month")]
    quarter = current[current["period_type"] == "quarter_to_date"]
    owners = quarter[quarter["dimension_type"] == "owner"].sort_values(
        ["rank_closed_won", "rank_pipeline_generated"], na_position="last"
    )
    total = quarter[quarter["dimension_type"] == "total"]
    return {
        "periods": SOTU_PERIODS,
        "slices": slices,
        "outlook": records(total)[0] if len(total) else None,
        "owners": records(owners),
        "svg": charts.sotu_chart(total_months) if len(total_months) else None,
    }


NOTABLE_TITLES = {
    "won": "Largest won",
    "lost": "Largest lost",
    "pushed": "Largest pushed to a later quarter",
    "created": "Largest created",
    "open_closing_this_quarter": "Largest open, closing this quarter",
}


def shape_notable_deals(rows: pd.DataFrame, as_of: date) -> dict:
    """One list per period and category, in the order the section reads."""
    lists = []
    for (period_type, label, category), deals in rows.groupby(
        ["period_type", "period_label", "category"], sort=False
    ):
        lists.append(
            {
                "period_type": period_type,
                "period_label": label,
                "category": category,
                "title": NOTABLE_TITLES[category],
                "deals": records(deals),
            }
        )
    return {"lists": lists}


def shape_amp_weekly(rows: pd.DataFrame, as_of: date) -> dict:
    """The total's weeks for the chart; each role and team on the latest week (quarter to
    date) for the table."""
    total = rows[rows["dimension_type"] == "total"]
    latest = rows[rows["is_latest"]]
    return {
        "svg": charts.amp_chart(total) if len(total) else None,
        "total": records(latest[latest["dimension_type"] == "total"]),
        "groups": records(latest[latest["dimension_type"] != "total"]),
    }

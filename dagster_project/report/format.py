"""How the report writes numbers and explains colours: plain functions, tested on their own."""

import math

import pandas as pd

METRIC_LABELS = {
    "forecast_commit": "Forecast commit",
    "forecast_best_case": "Best case",
    "closed_won_acv": "Closed ACV",
    "open_pipeline": "Open pipeline",
    "pipeline_generation": "Pipeline generation",
    "coverage_remaining": "Coverage (remaining)",
    "coverage_gross": "Coverage (gross)",
}
RATIO_METRICS = {"coverage_remaining", "coverage_gross"}
MISSING = "\u2013"  # an en dash: no value
TIMES = "\u00d7"  # the multiplication sign of "4.43x"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def amount(value) -> str:
    """Whole units of the corporate currency with thousands separators: 1,207,179."""
    return MISSING if missing(value) else f"{round(value):,}"


def pct(value, signed: bool = False) -> str:
    """A fraction as a percentage: 0.2439 -> 24.4%, signed -0.17 -> -17.1%."""
    if missing(value):
        return MISSING
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def ratio(value) -> str:
    """A multiple: 4.4314 -> 4.43 followed by the multiplication sign."""
    return MISSING if missing(value) else f"{value:.2f}{TIMES}"


def metric_value(metric: str, value) -> str:
    return ratio(value) if metric in RATIO_METRICS else amount(value)


def rag_reason(cell: dict) -> str:
    """Why a mart_apm cell has its colour, from its own columns (rag_basis, rag_measure and the
    thresholds; dbt test assert_apm_rag_status_follows_its_basis keeps them consistent)."""
    status, basis = cell["rag_status"], cell["rag_basis"]
    head = status.capitalize()
    measure, green, yellow = cell["rag_measure"], cell["rag_green_from"], cell["rag_yellow_from"]
    if basis == "too_early":
        return (
            f"{head}: too early in the quarter to judge ({pct(cell['pct_period_elapsed'])} "
            "elapsed)."
        )
    if basis == "target_met":
        return f"{head}: closed won already reaches the quarter's target."
    if missing(measure) or missing(green):
        return f"{head}: no target or nothing to compare for this slice."
    if basis == "pacing":
        return (
            f"{head}: pacing {measure:.2f} ({amount(cell['value'])} to date against "
            f"{amount(cell['target_to_date'])} targeted by today); green from {green:.2f}, "
            f"yellow from {yellow:.2f}."
        )
    if basis == "attainment":
        return (
            f"{head}: {pct(measure)} of the quarter's target of {amount(cell['target_period'])}; "
            f"green from {pct(green)}, yellow from {pct(yellow)}."
        )
    return (
        f"{head}: remaining coverage {ratio(measure)} against the {ratio(green)} the trailing "
        f"win rate requires; yellow from {ratio(yellow)}."
    )


def source_ref(mart: str, **keys) -> str:
    """Where a figure comes from, as a person would select it in SQL."""
    where = " and ".join(f"{k} = '{v}'" for k, v in keys.items())
    return f"{mart} where {where}"


def records(rows: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (pandas gives NaN/NaT)."""
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in rows.to_dict(orient="records")
    ]

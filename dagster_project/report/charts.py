"""The report's charts: Vega-Lite specs built with altair, rendered to static SVG by vl-convert.

Static SVG keeps the page self-contained (no script, no network) and sharp when printed."""

import altair as alt
import pandas as pd
import vl_convert

from dagster_project.report.format import METRIC_LABELS

FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
SERIES_THIS_YEAR = "as reported"
SERIES_LAST_YEAR = "a year before"


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an inline <svg> element."""
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict()
    return vl_convert.vegalite_to_svg(spec)


def _series_frame(
    rows: pd.DataFrame, id_column: str, series: dict[str, str], value_name: str
) -> pd.DataFrame:
    """``rows`` long: a row per ``id_column`` value and column of ``series``, the column's
    label (the dict's value) in ``series`` and its value in ``value_name``."""
    frame = rows.melt(
        id_vars=[id_column], value_vars=list(series), var_name="series", value_name=value_name
    )
    frame["series"] = frame["series"].map(series)
    return frame


def _series_color(series: dict[str, str], colors: list[str]) -> alt.Color:
    """A colour per series in the dict's order, the legend on top."""
    return alt.Color(
        "series:N",
        title=None,
        sort=list(series.values()),
        scale=alt.Scale(range=colors),
        legend=alt.Legend(labelLimit=0, orient="top"),
    )


def trend_chart(rows: pd.DataFrame, metrics: list[str]) -> str:
    """One small chart per metric: its value on each review day, and the same day last year."""
    long = rows[rows["metric"].isin(metrics)].melt(
        id_vars=["as_of_date", "fiscal_period", "metric"],
        value_vars=["value", "value_ly"],
        var_name="series",
        value_name="amount",
    )
    long["series"] = long["series"].map({"value": SERIES_THIS_YEAR, "value_ly": SERIES_LAST_YEAR})
    long["metric_label"] = long["metric"].map(METRIC_LABELS)
    long["as_of_date"] = pd.to_datetime(long["as_of_date"])
    base = alt.Chart(long).encode(
        x=alt.X("as_of_date:T", title=None, axis=alt.Axis(format="%b %d", labelAngle=0)),
        y=alt.Y("amount:Q", title=None, axis=alt.Axis(format="~s")),
        color=alt.Color("fiscal_period:N", title="Quarter"),
        detail="series:N",
    )
    lines = base.mark_line().encode(
        strokeDash=alt.StrokeDash(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[SERIES_THIS_YEAR, SERIES_LAST_YEAR], range=[[1, 0], [4, 3]]),
            legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#616e7c", labelLimit=0),
        )
    )
    chart = (
        (lines + base.mark_point(size=18, filled=True))
        .properties(width=250, height=120)
        .facet(
            facet=alt.Facet(
                "metric_label:N",
                title=None,
                sort=[METRIC_LABELS[m] for m in metrics],
                header=alt.Header(labelFontWeight="bold", labelFontSize=12),
            ),
            columns=3,
        )
        .resolve_scale(y="independent")
    )
    return to_svg(chart)


def funnel_chart(stages: pd.DataFrame) -> str:
    """Distinct people reaching each stage over the baseline window; the stage whose exit has
    the largest drop-off is drawn in the warning colour."""
    chart = (
        alt.Chart(stages)
        .mark_bar()
        .encode(
            y=alt.Y("from_stage:N", sort=list(stages["from_stage"]), title=None),
            x=alt.X("volume:Q", title="people reaching the stage (12-month baseline)"),
            color=alt.condition(
                alt.datum.is_largest_drop_off,
                alt.value("#d9822b"),
                alt.value("#4c78a8"),
            ),
        )
        .properties(width=520, height=24 * len(stages))
    )
    labels = chart.mark_text(align="left", dx=4).encode(text=alt.Text("volume:Q", format=","))
    return to_svg(chart + labels)


def waterfall_chart(buckets: list[dict]) -> str:
    """A waterfall: start and end as whole bars, each bucket floating from the running total
    before it to the one after it."""
    bars, running = [], 0.0
    for b in buckets:
        if b["bucket"] in ("start", "end"):
            low, high, kind = 0.0, b["amount_corp"], "open pipeline"
            running = b["amount_corp"]
        else:
            low, high = running, running + b["amount_corp"]
            kind = "adds" if b["amount_corp"] >= 0 else "takes"
            running = high
        label = {"start": "Start", "end": "End"}.get(b["bucket"], b["label"])
        bars.append({"label": label, "low": low, "high": high, "kind": kind})
    frame = pd.DataFrame(bars)
    order = list(frame["label"])
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("low:Q", title=None, axis=alt.Axis(format="~s")),
            y2="high:Q",
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(
                    domain=["open pipeline", "adds", "takes"],
                    range=["#9aa5b1", "#3f9142", "#c8553d"],
                ),
                legend=alt.Legend(labelLimit=0),
            ),
        )
        .properties(width=44 * len(frame), height=220)
    )
    return to_svg(chart)


def accuracy_chart(rows: pd.DataFrame) -> str:
    """Forecast over final closed won by day of the quarter, a line per closed quarter, with
    the exact forecast (1.0) marked."""
    frame = rows[["fiscal_period", "day_of_quarter", "accuracy_pct"]].dropna()
    lines = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=14))
        .encode(
            x=alt.X(
                "day_of_quarter:Q", title="day of the quarter", scale=alt.Scale(domain=[0, 92])
            ),
            y=alt.Y("accuracy_pct:Q", title="Commit forecast / final", axis=alt.Axis(format=".0%")),
            color=alt.Color("fiscal_period:N", title="Quarter", legend=alt.Legend(labelLimit=0)),
        )
    )
    exact = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(strokeDash=[4, 3]).encode(y="y:Q")
    return to_svg((lines + exact).properties(width=560, height=220))


LEVER_SERIES = {"actual_cost": "cost", "sourced_pipeline_w_shaped": "sourced pipeline (W-shaped)"}


def lever_chart(rows: pd.DataFrame) -> str:
    """Cost against the pipeline it sourced, a pair of bars per lever and channel. Pipeline
    no campaign touched has no cost to weigh against: it stays in the table only."""
    rows = rows[rows["marketing_lever"] != "unattributed"]
    labelled = rows.assign(
        label=rows["marketing_lever"].str.replace("_", " ")
        + " / "
        + rows["marketing_channel"].str.replace("_", " ")
    )
    frame = _series_frame(labelled, "label", LEVER_SERIES, "amount")
    frame["amount"] = frame["amount"].fillna(0.0)
    order = list(dict.fromkeys(frame["label"]))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("series:N", sort=list(LEVER_SERIES.values())),
            x=alt.X("amount:Q", title=None, axis=alt.Axis(format="~s")),
            color=_series_color(LEVER_SERIES, ["#c8553d", "#4c78a8"]),
        )
        # room on the left: the browser's font can be wider than the one the labels were
        # measured with
        .properties(width=520, height=alt.Step(9), padding={"left": 60, "top": 5})
    )
    return to_svg(chart)


PIPE_GEN_SERIES = {
    "pipeline_generated_qtd": "generated to date",
    "target_to_date": "target to date",
}


def pipe_gen_chart(rows: pd.DataFrame) -> str:
    """Pipeline generated to date against the target to date, day by day."""
    frame = _series_frame(rows, "day_of_quarter", PIPE_GEN_SERIES, "amount").dropna()
    chart = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X(
                "day_of_quarter:Q", title="day of the quarter", scale=alt.Scale(domain=[0, 92])
            ),
            y=alt.Y("amount:Q", title=None, axis=alt.Axis(format="~s")),
            color=_series_color(PIPE_GEN_SERIES, ["#4c78a8", "#9aa5b1"]),
            strokeDash=alt.StrokeDash(
                "series:N",
                sort=list(PIPE_GEN_SERIES.values()),
                scale=alt.Scale(range=[[1, 0], [4, 3]]),
                legend=None,
            ),
        )
        .properties(width=560, height=200)
    )
    return to_svg(chart)


AMP_SERIES = {
    "meetings_held": "meetings held",
    "first_meetings": "first meetings",
    "opportunities_created": "opportunities created",
}


def amp_chart(rows: pd.DataFrame) -> str:
    """Meetings held, first meetings and opportunities created, week by week."""
    frame = _series_frame(rows, "week_start_date", AMP_SERIES, "count")
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("week_start_date:T", title="week starting", axis=alt.Axis(format="%b %d")),
            y=alt.Y("count:Q", title=None),
            color=_series_color(AMP_SERIES, ["#4c78a8", "#72b7b2", "#c8553d"]),
        )
        .properties(width=560, height=200)
    )
    return to_svg(chart)


SOTU_SERIES = {"closed_won_acv": "closed won", "target_period": "target"}


def sotu_chart(rows: pd.DataFrame) -> str:
    """Closed won against the month's target, a pair of bars per fiscal month."""
    frame = _series_frame(rows, "period_label", SOTU_SERIES, "amount").dropna()
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("period_label:N", title=None, sort=list(dict.fromkeys(rows["period_label"]))),
            xOffset=alt.XOffset("series:N", sort=list(SOTU_SERIES.values())),
            y=alt.Y("amount:Q", title=None, axis=alt.Axis(format="~s")),
            color=_series_color(SOTU_SERIES, ["#4c78a8", "#9aa5b1"]),
        )
        .properties(width=560, height=200)
    )
    return to_svg(chart)

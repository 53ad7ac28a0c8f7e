"""Helpers the end-to-end tests share: run the main job in process, read a DuckDB file."""

import shutil
from pathlib import Path

import duckdb
import pytest


def run_refresh(
    landing: Path, warehouse: Path, as_of: str | None = None, partition: str | None = None
):
    """refresh_all_job in process on ``landing`` into ``warehouse``; returns the run result.

    Launched as `make run` launches it (``as_of`` is then $FUNNEL_AS_OF_DATE), or, given a
    ``partition``, as a backfill in the UI launches one day: that partition, no other setting."""
    import dagster as dg

    from dagster_project.automation import launch_partition
    from dagster_project.definitions import defs
    from dagster_project.partitions import AS_OF_SOURCE_TAG, landed_days, register_as_of_days
    from dagster_project.resources import FunnelSettings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FUNNEL_LANDING_DIR", str(landing))
        mp.setenv("FUNNEL_WAREHOUSE_DIR", str(warehouse))
        if as_of:
            mp.setenv("FUNNEL_AS_OF_DATE", as_of)
        tags = {}
        instance = dg.DagsterInstance.ephemeral()
        if partition is None:
            partition, source = launch_partition(instance, FunnelSettings())
            tags[AS_OF_SOURCE_TAG] = source
        else:
            register_as_of_days(instance, [*landed_days(FunnelSettings()), partition])
        return defs.resolve_job_def("refresh_all_job").execute_in_process(
            instance=instance,
            partition_key=partition,
            tags=tags,
            raise_on_error=False,
        )


def landing_up_to(landing: Path, last_batch: str, out: Path) -> Path:
    """A copy of ``landing`` with only the batches up to ``last_batch`` (as extracted by then)."""
    for path in landing.rglob("*"):
        if path.is_file() and path.name.split(".")[0] <= last_batch:
            target = out / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return out


def failures(result) -> list[str]:
    return [e.message for e in result.all_events if e.is_failure]


def query(db: Path, sql: str) -> list[tuple]:
    """All rows of ``sql`` on a DuckDB file opened read-only (closed again at once)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def fivetran_landing(salesforce: Path, marketo: Path | None, landing: Path) -> int:
    """A landing zone of symlinks to Fivetran's integration-test extracts (never copies).

    ``sf_<object>_data.csv`` -> ``crm/<object>/``; ``sf_opportunity_history_data.csv`` is
    Fivetran's history-mode copy of Opportunity (shared/external/README.md), so it lands as a
    later Opportunity batch, and so do the other ``*_history`` copies. Marketo's lead table
    lands as prospects and each activity table as one activity batch; its campaign table has no
    contract object and lands in an unknown folder. Returns the number of files linked.
    """
    import os

    def link(src: Path, rel: str) -> None:
        target = landing / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(src, target)

    n = 0
    for f in sorted(salesforce.glob("sf_*_data.csv")):
        obj = f.name[len("sf_") : -len("_data.csv")]
        history_copy = obj.endswith("_history")
        obj = obj.removesuffix("_history")
        link(f, f"crm/{obj}/{'20200601T000000Z' if history_copy else '20200531T000000Z'}.csv")
        n += 1
    if marketo is not None:
        link(marketo / "marketo_lead_data.csv", "marketing/prospect/20200531T000000Z.csv")
        for i, f in enumerate(sorted(marketo.glob("marketo_activity_*_data.csv"))):
            kind = f.name[len("marketo_activity_") : -len("_data.csv")]
            link(f, f"marketing/activity/20200531T{i:02d}0000Z-{kind}.csv")
        link(marketo / "marketo_campaign_data.csv", "marketing/campaign/20200531T000000Z.csv")
        n += 2 + i + 1
    return n


def extract_current_state(landing: Path, source: str, obj: str):
    """An object's current state read straight from its extract files, for recounts that do not
    go through the dbt models: every batch in name order, the latest version of each ``Id`` by
    ``SystemModstamp`` (where the object has it) then batch order (the extract contract's merge
    rule), deleted rows dropped."""
    import pandas as pd

    frames = []
    for order, path in enumerate(sorted((landing / source / obj).glob("*.csv*"))):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["_order"] = order
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    order = [c for c in ("SystemModstamp", "_order") if c in rows.columns]
    rows = rows.sort_values(order, kind="stable").drop_duplicates("Id", keep="last")
    if "IsDeleted" in rows.columns:
        rows = rows[rows["IsDeleted"].str.lower() != "true"]
    return rows.drop(columns="_order")


def recount_won_deals(landing: Path, start=None, end=None, exclusions: bool = True):
    """Won deals straight from the Opportunity and DatedConversionRate extracts: one row per
    deal won (stage_mapping seed) with its close date and its ACV (else Amount) in corporate
    currency at the dated rate of its close date; closing between ``start`` and ``end`` when
    given; the opportunity_exclusions seed applied unless ``exclusions`` is False."""
    import pandas as pd

    seeds = Path(__file__).resolve().parents[1] / "dbt" / "seeds"
    stages = pd.read_csv(seeds / "stage_mapping.csv")
    won_stages = set(stages.loc[stages["is_won"] & ~stages["is_excluded"], "stage_name"])
    opps = extract_current_state(landing, "crm", "Opportunity")
    opps["close"] = pd.to_datetime(opps["CloseDate"]).dt.date
    won = opps[opps["StageName"].isin(won_stages)]
    if start is not None:
        won = won[won["close"] >= start]
    if end is not None:
        won = won[won["close"] <= end]
    if exclusions:
        excluded = set(pd.read_csv(seeds / "opportunity_exclusions.csv")["opportunity_id"])
        won = won[~won["Id"].isin(excluded)]
    rates = extract_current_state(landing, "crm", "DatedConversionRate")

    def rate(iso: str, day) -> float:
        match = rates[
            (rates["IsoCode"] == iso)
            & (rates["StartDate"] <= day.isoformat())
            & (day.isoformat() < rates["NextStartDate"])
        ]
        return float(match["ConversionRate"].iloc[0]) if len(match) == 1 else 1.0

    acv_local = won["ACV__c"].where(won["ACV__c"] != "", won["Amount"]).astype(float)
    acv = [
        a / rate(iso, day)
        for a, iso, day in zip(acv_local, won["CurrencyIsoCode"], won["close"], strict=True)
    ]
    return pd.DataFrame({"Id": won["Id"].to_numpy(), "close": won["close"].to_numpy(), "acv": acv})

"""Guards on the published numbers: a mart must not lose most of its rows without a word.

A batch that deletes every opportunity, or an extract cut short, passes every rule about single
rows and would publish empty or thin marts. Before publishing, each mart's row count is compared
with the published set's: a fall of more than ``$FUNNEL_GUARD_MAX_ROW_DROP`` (default 0.5, half
the rows) blocks the publish, naming the mart and both counts (``$FUNNEL_GUARD_ROW_DROP=warn``
lets it through, reported). Replays of earlier days are compared with nothing: they publish
beside the main set.
"""

import json
import os

import dagster as dg

from dagster_project.lib.duck import connect_work
from dagster_project.lib.env import env_number
from dagster_project.publish.publish import MANIFEST
from dagster_project.resources import FunnelSettings
from dagster_project.transform.assets import MART_KEYS

CHECK = "row_count_vs_published"
MAX_DROP_ENV = "FUNNEL_GUARD_MAX_ROW_DROP"
ACTION_ENV = "FUNNEL_GUARD_ROW_DROP"


def row_drop(mart: str, now: int, before: int, max_drop: float) -> str | None:
    """The sentence for a mart whose rows fell by more than ``max_drop`` (a share), else None."""
    if before <= 0 or now >= before * (1 - max_drop):
        return None
    fall = 1 - now / before
    return (
        f"{mart} has {now:,} rows, {before:,} in the published set: {fall:.0%} fewer, more than "
        f"the {max_drop:.0%} {MAX_DROP_ENV} allows"
    )


@dg.multi_asset_check(
    name="publish_guards",
    specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset=key,
            blocking=True,
            description=(
                f"Blocks publishing when {mart} has lost more than {MAX_DROP_ENV} (default "
                f"half) of the rows in the published set; {ACTION_ENV}=warn reports it instead."
            ),
        )
        for mart, key in MART_KEYS.items()
    ],
    can_subset=True,
    pool="duckdb",
)
def publish_guards(context: dg.AssetCheckExecutionContext, settings: FunnelSettings):
    """Compare each mart's row count with the published set's (a mart emptied by a bad batch
    must not reach BI tools unnoticed)."""
    max_drop = env_number(MAX_DROP_ENV, 0.5, unit="a share of rows, 0 to 1")
    block = os.environ.get(ACTION_ENV, "block").lower() != "warn"
    manifest_path = settings.published_path / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    run_day = context.run.tags.get("dagster/partition", "")
    # A replay of an earlier day publishes beside the main set: nothing to compare with.
    compare = bool(manifest) and run_day >= manifest.get("as_of_date", "")
    before = {m: info["rows"] for m, info in manifest.get("marts", {}).items()} if compare else {}
    con = connect_work(settings.work_db, read_only=True)
    blocking = []
    try:
        for check_key in sorted(context.selected_asset_check_keys, key=str):
            mart = check_key.asset_key.path[-1]
            now = int(con.execute(f'select count(*) from marts."{mart}"').fetchall()[0][0])
            said = row_drop(mart, now, before.get(mart, 0), max_drop)
            if said and block:
                blocking.append(said)
            yield dg.AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=CHECK,
                passed=said is None,
                severity=dg.AssetCheckSeverity.ERROR if block else dg.AssetCheckSeverity.WARN,
                description=said
                or (
                    f"{now:,} rows ({before[mart]:,} published)"
                    if mart in before
                    else f"{now:,} rows (nothing published to compare with)"
                ),
                metadata={"rows": now, "rows_published": before.get(mart)},
            )
    finally:
        con.close()
    if blocking:
        raise dg.Failure(
            description="Not publishing: marts lost most of their rows.\n"
            + "\n".join(blocking)
            + f"\nIf the extracts did lose these records, run once with {ACTION_ENV}=warn; "
            "otherwise land the missing records as a new batch."
        )

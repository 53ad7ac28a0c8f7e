"""The sales dashboards on the committed sample (seeds/landing): Daily Pipe Gen has a row for
every day and slice, its owners and products add up to the total day by day, its running
totals are the days summed, and the sample's SDR team is behind its target this quarter;
Clean Your Room flags the past-due deals and the deals without a next step recounted from the
Opportunity extract, and its manager rows equal a count from the extracts."""

from pathlib import Path

import pandas as pd
import pytest
from support import extract_current_state, query, recount_won_deals

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "seeds" / "landing"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def db(sample_warehouse) -> Path:
    return sample_warehouse / "published" / "analytics.duckdb"


def test_every_day_of_the_quarter_is_a_row_for_every_slice(db):
    rows = query(
        db,
        "select fiscal_period, dimension_type, dimension_value, count(*), "
        "max(day_of_quarter), bool_and(is_current_quarter) "
        "from marts.mart_daily_pipe_gen group by all",
    )
    assert {r[1] for r in rows} == {"total", "source", "region", "segment", "product", "owner"}
    for period, kind, value, days, last_day, current in rows:
        assert days == last_day, (period, kind, value)
        if not current:
            assert last_day >= 89, (period, kind, value)


def test_owners_and_products_add_up_to_the_total_each_day(db):
    rows = query(
        db,
        """
        select fiscal_period, date_day, dimension_type,
               sum(pipeline_generated), sum(deals_generated),
               max(case when dimension_type = 'total' then 0 end)
        from marts.mart_daily_pipe_gen
        where dimension_type in ('total', 'owner', 'product')
        group by all
        """,
    )
    by_day: dict[tuple, dict] = {}
    for period, day, kind, amount, deals, _ in rows:
        by_day.setdefault((period, day), {})[kind] = (amount, deals)
    assert len(by_day) > 100
    for key, kinds in by_day.items():
        total_amount, total_deals = kinds["total"]
        owner_amount, owner_deals = kinds["owner"]
        assert owner_amount == pytest.approx(total_amount, abs=0.01), key
        assert owner_deals == total_deals, key
        assert kinds["product"][0] == pytest.approx(total_amount, abs=0.01), key


def test_running_totals_are_the_days_summed(db):
    ((worst,),) = query(
        db,
        """
        select max(abs(pipeline_generated_qtd - summed)) from (
            select pipeline_generated_qtd,
                   sum(pipeline_generated) over (
                       partition by fiscal_period, dimension_type, dimension_value
                       order by date_day) as summed
            from marts.mart_daily_pipe_gen)
        """,
    )
    assert worst < 0.01


def test_the_sdr_team_is_behind_its_pipeline_target_this_quarter(db):
    """The sample makes Daily Pipe Gen say something: on as_of_date the SDR source slice has
    generated under 85% of its target to date (red) and needs more per day than it has run."""
    ((qtd, target_to_date, pacing, status, run_rate, needed),) = query(
        db,
        "select pipeline_generated_qtd, target_to_date, pacing, rag_status, "
        "run_rate_to_date, required_run_rate from marts.mart_daily_pipe_gen "
        "where is_current_quarter and date_day = as_of_date "
        "and dimension_type = 'source' and dimension_value = 'SDR'",
    )
    assert pacing == pytest.approx(qtd / target_to_date, rel=1e-9)
    assert pacing < 0.85 and status == "red"
    assert needed > run_rate


@pytest.fixture(scope="module")
def open_deals(db) -> pd.DataFrame:
    """The open, non-excluded deals on as_of_date, straight from the Opportunity extract (the
    sample's extracts end on as_of_date, so their current state is that day's)."""
    opps = extract_current_state(SAMPLE, "crm", "Opportunity")
    excluded = set(
        pd.read_csv(REPO / "dbt" / "seeds" / "opportunity_exclusions.csv")["opportunity_id"]
    )
    opps = opps[(opps["IsClosed"].str.lower() == "false") & ~opps["Id"].isin(excluded)].copy()
    ((as_of,),) = query(db, "select max(report_date) from marts.fct_opportunity_hygiene")
    opps["past_due"] = pd.to_datetime(opps["CloseDate"]).dt.date < as_of
    users = extract_current_state(SAMPLE, "crm", "User").set_index("Id")
    opps["manager"] = opps["OwnerId"].map(users["ManagerId"]).replace("", None).fillna("unknown")
    return opps


def _flagged(db, reason: str) -> set[str]:
    return {
        deal
        for (deal,) in query(
            db,
            "select opportunity_id from marts.fct_opportunity_hygiene "
            f"where is_as_of_date and {reason} and risk_reasons like '%{reason}%'",
        )
    }


def test_past_due_deals_are_flagged_with_that_reason(db, open_deals):
    ((rows,),) = query(db, "select count(*) from marts.fct_opportunity_hygiene where is_as_of_date")
    assert rows == len(open_deals)
    past_due = set(open_deals.loc[open_deals["past_due"], "Id"])
    assert past_due and _flagged(db, "past_due") == past_due


def test_deals_without_a_next_step_are_flagged(db, open_deals):
    missing = set(open_deals.loc[open_deals["NextStep"].str.strip() == "", "Id"])
    assert missing and _flagged(db, "missing_next_step") == missing


def test_manager_rows_equal_a_count_from_the_extracts(db, open_deals):
    rows = query(
        db,
        "select dimension_value, deals, open_deals from marts.mart_clean_your_room "
        "where is_as_of_date and dimension_type = 'manager' and reason = 'past_due'",
    )
    expected = {
        manager: (int(g["past_due"].sum()), len(g)) for manager, g in open_deals.groupby("manager")
    }
    assert {m: (d, o) for m, d, o in rows} == expected
    assert sum(d for _, d, _ in rows) > 0


@pytest.fixture(scope="module")
def as_of(db):
    ((day,),) = query(db, "select max(as_of_date) from marts.mart_amp_weekly")
    return day


def _week_start(days: pd.Series) -> pd.Series:
    """The Monday on or before each day (the sample's weekly_review_weekday is 1)."""
    days = pd.to_datetime(days)
    return (days - pd.to_timedelta(days.dt.weekday, unit="D")).dt.date


def test_amp_team_rows_equal_a_count_from_the_extracts(db, as_of):
    """Every shown week's calls, e-mails and meetings per team (the owner's manager), counted
    from the Task, Event and User extracts: completed tasks and held meetings created by the end
    of as_of_date, by owners with a sales role."""
    users = extract_current_state(SAMPLE, "crm", "User").set_index("Id")
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)

    def by_team(frame: pd.DataFrame, day_column: str) -> pd.DataFrame:
        frame = frame[frame["OwnerId"].map(users["Sales_Role__c"]).fillna("") != ""].copy()
        frame["team"] = frame["OwnerId"].map(users["ManagerId"]).replace("", "none")
        frame["week"] = _week_start(frame[day_column])
        return frame

    tasks = extract_current_state(SAMPLE, "crm", "Task")
    tasks = tasks[
        (tasks["Status"] == "Completed")
        & (pd.to_datetime(tasks["CreatedDate"].str[:19]) < end)
        & (pd.to_datetime(tasks["ActivityDate"]) < end)
    ]
    tasks = by_team(tasks, "ActivityDate")
    events = extract_current_state(SAMPLE, "crm", "Event")
    starts = pd.to_datetime(events["StartDateTime"].str[:19])
    events = events[
        (events["Type"] == "Meeting")
        & (starts < end)
        & (pd.to_datetime(events["CreatedDate"].str[:19]) < end)
    ]
    events = by_team(events.assign(day=starts.dt.date), "day")
    rows = query(
        db,
        "select dimension_value, week_start_date, activities_call, activities_email, "
        "meetings_held from marts.mart_amp_weekly "
        "where dimension_type = 'team' and pipeline_source = 'all'",
    )
    shown_weeks = {week for _, week, *_ in rows}
    assert len(shown_weeks) >= 13
    expected: dict[tuple, list[int]] = {}
    for column, frame in [
        (0, tasks[tasks["TaskSubtype"] == "Call"]),
        (1, tasks[tasks["TaskSubtype"] == "Email"]),
        (2, events),
    ]:
        for (team, week), n in frame.groupby(["team", "week"]).size().items():
            if week in shown_weeks:
                expected.setdefault((team, week), [0, 0, 0])[column] = n
    shown = {
        (team, week): [calls, emails, meetings]
        for team, week, calls, emails, meetings in rows
        if calls or emails or meetings
    }
    assert shown == expected
    assert sum(v[2] for v in shown.values()) > 0


def test_amp_says_who_meets_without_creating_pipeline(db):
    """The sample makes AMP say something: this quarter some owners held meetings that led to
    opportunities, and some held activities or meetings and created none."""
    rows = query(
        db,
        "select dimension_value, meetings_held_qtd, opportunities_created_qtd, activities_qtd "
        "from marts.mart_amp_weekly where dimension_type = 'owner' and pipeline_source = 'all' "
        "and week_end_date = as_of_date",
    )
    assert any(m > 0 and o > 0 for _, m, o, _ in rows)
    assert any((a > 0 or m > 0) and o == 0 for _, m, o, a in rows)


def test_state_of_the_union_closed_won_is_a_recount_from_the_extracts(db, as_of):
    """The month, quarter and year to date of the total: won deals recounted from the
    Opportunity and rate extracts, closing from the period's first day to as_of_date."""
    rows = query(
        db,
        "select period_type, period_start_date, closed_won_acv, won_count "
        "from marts.mart_state_of_the_union where dimension_type = 'total' and is_current",
    )
    assert {r[0] for r in rows} == {"month", "quarter_to_date", "year_to_date"}
    for period_type, start, acv, won in rows:
        recount = recount_won_deals(SAMPLE, start, as_of)
        assert won == len(recount), period_type
        assert acv == pytest.approx(recount["acv"].sum(), abs=0.01), period_type
    year = next(r for r in rows if r[0] == "year_to_date")
    assert year[3] > 0


def test_the_months_largest_won_deal_leads_the_notable_deals(db, as_of):
    ((month_start,),) = query(
        db,
        "select period_start_date from marts.mart_notable_deals where period_type = 'month' "
        "limit 1",
    )
    recount = recount_won_deals(SAMPLE, month_start, as_of).sort_values(
        ["acv", "Id"], ascending=[False, True]
    )
    rows = query(
        db,
        "select opportunity_id, acv_corp from marts.mart_notable_deals "
        "where period_type = 'month' and category = 'won' order by deal_rank",
    )
    assert rows, "the sample's current month has won deals"
    assert [r[0] for r in rows] == list(recount["Id"][: len(rows)])
    assert rows[0][1] == pytest.approx(recount["acv"].iloc[0], abs=0.01)
    categories = {c for (c,) in query(db, "select distinct category from marts.mart_notable_deals")}
    assert categories == {"won", "lost", "pushed", "created", "open_closing_this_quarter"}

{#- Who gets the credit for each deal's pipeline and bookings, per attribution
    model (docs/metrics.md §3.19). Deals: not excluded, pipeline by as_of_date
    or won. Credited amounts: the deal's ACV in corporate currency as known at
    the end of the day it became pipeline (pipeline), and its ACV as known at
    the end of as_of_date when won (bookings).
    primary_source gives everything to the deal's Primary Campaign Source, as
    Salesforce does. The touch models of the attribution_model seed weigh the
    deal's touches (fct_campaign_touch): sourced models its touches up to the
    day it became pipeline, influence models (full_path) every touch up to its
    close. Milestones: FT the first touch, LC the last on or before the day
    the touch's person became known (else the first), OC the last on or before
    the pipeline day, CW the last on or before a won deal's close; ties by
    touch id. A touch holding several milestones gets the sum of their
    weights; the other weight is split evenly over the touches holding none;
    what is missing is made up by scaling the weights present to 1. A deal
    without a touch (or without a primary campaign) gets one unattributed row,
    so every model's credited amounts add up to total pipeline generation and
    bookings. Amounts are rounded to the cent per touch, the last touch taking
    the remainder, so a deal's credits add up to its amount exactly.
    One row per opportunity_id x attribution_model x touch_id (touch_id null
    for the primary-source and unattributed rows). -#}
with calendar as (
    select
        date_day,
        fiscal_quarter_label
    from {{ ref('dim_date') }}
),

versions as (
    select * from {{ ref('fct_opportunity_version') }}
),

opportunities as (
    select
        opportunities.opportunity_id,
        opportunities.pipeline_created_date,
        opportunities.close_date,
        opportunities.is_won,
        opportunities.lead_source,
        opportunities.primary_campaign_id,
        case
            when opportunities.pipeline_created_date is not null
                then coalesce(at_creation.acv_corp, 0)
            else 0
        end as pipeline_acv_corp,
        case
            when opportunities.is_won then coalesce(opportunities.acv_corp, 0)
            else 0
        end as won_acv_corp
    from {{ ref('fct_opportunity') }} as opportunities
    left join versions as at_creation
        on
            opportunities.opportunity_id = at_creation.opportunity_id
            and {{ version_valid_on(
                'at_creation', 'opportunities.pipeline_created_date'
            ) }}
    where
        not opportunities.is_excluded
        and (
            opportunities.pipeline_created_date is not null
            or opportunities.is_won
        )
),

models as (
    select * from {{ ref('attribution_model') }}
),

-- The touches a model weighs depend only on its touch window (sourced: up to
-- the pipeline day; influence: every touch), and so do the milestones: they
-- are found once per window, then weighed by each of its models.
touch_windows as (
    select distinct touch_window from models
),

window_touches as (
    select
        touches.opportunity_id,
        touch_windows.touch_window,
        touches.touch_id,
        touches.campaign_id,
        touches.person_id,
        touches.touch_at,
        touches.touch_date,
        opportunities.is_won,
        touches.touch_date <= persons.known_date as is_lead_creation_candidate,
        coalesce(
            touches.touch_date <= opportunities.pipeline_created_date, false
        ) as is_before_pipeline
    from {{ ref('fct_campaign_touch') }} as touches
    inner join opportunities
        on touches.opportunity_id = opportunities.opportunity_id
    left join {{ ref('dim_person') }} as persons
        on touches.person_id = persons.person_id
    inner join touch_windows
        on
            touches.is_sourcing_window
            or touch_windows.touch_window = 'influence'
),

ranked as (
    select
        *,
        row_number() over (
            partition by opportunity_id, touch_window
            order by touch_at, touch_id
        ) as rank_first,
        row_number() over (
            partition by opportunity_id, touch_window
            order by touch_at desc, touch_id desc
        ) as rank_last,
        row_number() over (
            partition by opportunity_id, touch_window, is_before_pipeline
            order by touch_at desc, touch_id desc
        ) as rank_last_before_pipeline,
        row_number() over (
            partition by
                opportunity_id,
                touch_window,
                coalesce(is_lead_creation_candidate, false)
            order by touch_at desc, touch_id desc
        ) as rank_last_candidate,
        max(case when is_lead_creation_candidate then 1 else 0 end) over (
            partition by opportunity_id, touch_window
        ) as has_lead_creation_candidate
    from window_touches
),

window_milestones as (
    select
        *,
        rank_first = 1 as is_first_touch,
        case
            when has_lead_creation_candidate = 1
                then
                    coalesce(is_lead_creation_candidate, false)
                    and rank_last_candidate = 1
            else rank_first = 1
        end as is_lead_creation_touch,
        is_before_pipeline
        and rank_last_before_pipeline = 1 as is_opportunity_creation_touch,
        is_won and rank_last = 1 as is_closed_won_touch
    from ranked
),

milestones as (
    select
        window_milestones.*,
        models.attribution_model,
        models.first_touch_weight,
        models.lead_creation_weight,
        models.opportunity_creation_weight,
        models.closed_won_weight,
        models.other_weight
    from window_milestones
    inner join models
        on window_milestones.touch_window = models.touch_window
),

milestone_weights as (
    select
        *,
        case when is_first_touch then first_touch_weight else 0 end
        + case when is_lead_creation_touch then lead_creation_weight else 0 end
        + case
            when
                is_opportunity_creation_touch
                then opportunity_creation_weight
            else 0
        end
        + case when is_closed_won_touch then closed_won_weight else 0 end
            as milestone_weight,
        not(
            (is_first_touch and first_touch_weight > 0)
            or (is_lead_creation_touch and lead_creation_weight > 0)
            or (
                is_opportunity_creation_touch
                and opportunity_creation_weight > 0
            )
            or (is_closed_won_touch and closed_won_weight > 0)
        ) as is_other_touch
    from milestones
),

raw_weights as (
    select
        *,
        milestone_weight
        + case
            when is_other_touch
                then
                    other_weight
                    / sum(case when is_other_touch then 1 else 0 end) over (
                        partition by opportunity_id, attribution_model
                    )
            else 0
        end as raw_weight
    from milestone_weights
),

touch_credits as (
    select
        opportunity_id,
        attribution_model,
        touch_id,
        campaign_id,
        person_id,
        touch_at,
        touch_date,
        is_first_touch,
        is_lead_creation_touch,
        is_opportunity_creation_touch,
        is_closed_won_touch,
        false as is_unattributed,
        raw_weight / sum(raw_weight) over (
            partition by opportunity_id, attribution_model
        ) as weight
    from raw_weights
    where raw_weight > 0
),

primary_source as (
    select
        opportunity_id,
        'primary_source' as attribution_model,
        cast(null as {{ dbt.type_string() }}) as touch_id,
        primary_campaign_id as campaign_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as timestamp) as touch_at,
        cast(null as date) as touch_date,
        false as is_first_touch,
        false as is_lead_creation_touch,
        false as is_opportunity_creation_touch,
        false as is_closed_won_touch,
        primary_campaign_id is null as is_unattributed,
        cast(1 as {{ type_double() }}) as weight
    from opportunities
),

unattributed as (
    select
        opportunities.opportunity_id,
        models.attribution_model,
        cast(null as {{ dbt.type_string() }}) as touch_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as timestamp) as touch_at,
        cast(null as date) as touch_date,
        false as is_first_touch,
        false as is_lead_creation_touch,
        false as is_opportunity_creation_touch,
        false as is_closed_won_touch,
        true as is_unattributed,
        cast(1 as {{ type_double() }}) as weight
    from opportunities
    cross join models
    where not exists (
        select 1
        from touch_credits
        where
            touch_credits.opportunity_id = opportunities.opportunity_id
            and touch_credits.attribution_model = models.attribution_model
    )
),

credits as (
    select * from touch_credits
    union all
    select * from primary_source
    union all
    select * from unattributed
),

rounded as (
    select
        credits.*,
        opportunities.pipeline_created_date,
        opportunities.close_date,
        opportunities.is_won,
        opportunities.lead_source,
        opportunities.pipeline_acv_corp,
        opportunities.won_acv_corp,
        {{ round_to_cents('credits.weight * opportunities.pipeline_acv_corp') }}
            as pipeline_cents,
        {{ round_to_cents('credits.weight * opportunities.won_acv_corp') }}
            as won_cents,
        row_number() over (
            partition by credits.opportunity_id, credits.attribution_model
            order by credits.touch_at desc, credits.touch_id desc
        ) as remainder_rank
    from credits
    inner join
        opportunities
        on credits.opportunity_id = opportunities.opportunity_id
),

final as (
    select
        rounded.opportunity_id,
        rounded.attribution_model,
        rounded.touch_id,
        rounded.campaign_id,
        rounded.person_id,
        rounded.touch_at,
        rounded.touch_date,
        rounded.is_first_touch,
        rounded.is_lead_creation_touch,
        rounded.is_opportunity_creation_touch,
        rounded.is_closed_won_touch,
        rounded.is_unattributed,
        rounded.weight,
        rounded.lead_source,
        rounded.pipeline_created_date,
        pipeline_calendar.fiscal_quarter_label as pipeline_fiscal_quarter,
        rounded.close_date,
        rounded.is_won,
        case when rounded.is_won then close_calendar.fiscal_quarter_label end
            as won_fiscal_quarter,
        rounded.pipeline_acv_corp,
        rounded.won_acv_corp,
        case
            when rounded.remainder_rank = 1
                then rounded.pipeline_acv_corp - (
                    sum(rounded.pipeline_cents) over (
                        partition by
                            rounded.opportunity_id, rounded.attribution_model
                    ) - rounded.pipeline_cents
                )
            else rounded.pipeline_cents
        end as credited_pipeline_corp,
        case
            when rounded.remainder_rank = 1
                then rounded.won_acv_corp - (
                    sum(rounded.won_cents) over (
                        partition by
                            rounded.opportunity_id, rounded.attribution_model
                    ) - rounded.won_cents
                )
            else rounded.won_cents
        end as credited_won_acv_corp
    from rounded
    left join calendar as pipeline_calendar
        on rounded.pipeline_created_date = pipeline_calendar.date_day
    left join calendar as close_calendar
        on rounded.close_date = close_calendar.date_day
)

select * from final

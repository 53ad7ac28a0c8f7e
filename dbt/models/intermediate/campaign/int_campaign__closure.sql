{#- The campaign hierarchy as a closure table (docs/metrics.md §3.18): every
    campaign paired with itself (hierarchy_depth 0) and with each campaign above it. Only
    campaigns with a sound line (int_campaign_hierarchy.hierarchy_issue null)
    take part: a campaign in a parent loop, below a missing parent or deeper
    than Salesforce's five levels is left out of every rollup (and reported),
    which also guarantees the walk ends. The parent of a sound campaign is
    sound, so the walk never leaves the sound set. One row per
    ancestor_campaign_id x campaign_id. -#}
with recursive sound as (
    select
        campaigns.campaign_id,
        campaigns.parent_id
    from {{ ref('stg_crm__campaigns') }} as campaigns
    inner join {{ ref('int_campaign_hierarchy') }} as hierarchy
        on campaigns.campaign_id = hierarchy.campaign_id
    where hierarchy.hierarchy_issue is null
),

closure as (
    select
        campaign_id as ancestor_campaign_id,
        campaign_id,
        0 as hierarchy_depth
    from sound
    union all
    select
        sound.parent_id as ancestor_campaign_id,
        closure.campaign_id,
        closure.hierarchy_depth + 1 as hierarchy_depth
    from closure
    inner join sound on closure.ancestor_campaign_id = sound.campaign_id
    where sound.parent_id is not null
)

select * from closure

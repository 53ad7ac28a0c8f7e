{#- Each campaign with its path up to the top-level campaign (the program that
    attribution and spend roll up to). Salesforce allows five levels; an
    extract can still hold a parent loop or a deeper tree (data loaded around
    the UI). The walk stops at a loop or after var
    campaign_hierarchy_walk_limit levels, so bad data cannot make it run
    forever, and each campaign says what is wrong with its line:
    hierarchy_issue = cycle | too_deep | missing_parent, else null. -#}
{%- set max_levels = var('campaign_hierarchy_max_levels') -%}
{%- set walk_limit = var('campaign_hierarchy_walk_limit') %}
with recursive campaigns as (
    select
        campaign_id,
        parent_id
    from {{ ref('stg_crm__campaigns') }}
),

walk as (
    select
        campaign_id,
        campaign_id as ancestor_id,
        parent_id as next_id,
        1 as level_count,
        '/' || campaign_id || '/' as id_path,
        false as closes_loop
    from campaigns
    union all
    select
        walk.campaign_id,
        parents.campaign_id as ancestor_id,
        parents.parent_id as next_id,
        walk.level_count + 1 as level_count,
        walk.id_path || parents.campaign_id || '/' as id_path,
        position('/' || parents.campaign_id || '/' in walk.id_path) > 0
            as closes_loop
    from walk
    inner join campaigns as parents on walk.next_id = parents.campaign_id
    where not walk.closes_loop and walk.level_count < {{ walk_limit }}
),

last_step as (
    select
        *,
        row_number() over (
            partition by campaign_id order by level_count desc
        ) as step_rank
    from walk
),

final as (
    select
        campaign_id,
        case
            when not closes_loop and next_id is null then ancestor_id
        end as root_campaign_id,
        level_count as hierarchy_levels,
        -- SQL-standard form: Spark reads trim(a, b) with its arguments swapped
        trim(both '/' from id_path) as campaign_path,
        case
            when closes_loop then 'cycle'
            when next_id is not null and level_count >= {{ walk_limit }}
                then 'too_deep'
            when next_id is not null then 'missing_parent'
            when level_count > {{ max_levels }} then 'too_deep'
        end as hierarchy_issue
    from last_step
    where step_rank = 1
)

select * from final

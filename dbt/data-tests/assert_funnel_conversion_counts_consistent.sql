{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_conversion'}}}) }}
-- mart_funnel_conversion, row by row and across rows. A returned row is a
-- broken rule:
--   rate       conversion_rate is not converted_count / entered_count;
--   strict     a strict count above the inclusive count of the same cell;
--   slices     a dimension's values do not add up to the total row (every
--              person has exactly one value per dimension, so they must);
--   base       the total row differs from a fresh count of the base rows.
with conversion as (
    select * from {{ ref('mart_funnel_conversion') }}
),

rates as (
    select
        'rate' as broken_rule,
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        from_stage,
        to_stage
    from conversion
    where
        abs(conversion_rate - converted_count * 1.0 / entered_count) > 1e-12
),

strict_within_inclusive as (
    select
        'strict' as broken_rule,
        strict_rows.cohort_grain,
        strict_rows.cohort_start_date,
        strict_rows.mode,
        strict_rows.dimension_type,
        strict_rows.from_stage,
        strict_rows.to_stage
    from conversion as strict_rows
    left join conversion as inclusive_rows
        on
            strict_rows.cohort_grain = inclusive_rows.cohort_grain
            and strict_rows.cohort_start_date = inclusive_rows.cohort_start_date
            and strict_rows.dimension_type = inclusive_rows.dimension_type
            and strict_rows.dimension_value = inclusive_rows.dimension_value
            and strict_rows.from_stage = inclusive_rows.from_stage
            and strict_rows.to_stage = inclusive_rows.to_stage
            and inclusive_rows.mode = 'inclusive'
    where
        strict_rows.mode = 'strict'
        and (
            inclusive_rows.entered_count is null
            or strict_rows.entered_count > inclusive_rows.entered_count
            or strict_rows.converted_count > inclusive_rows.converted_count
        )
),

slice_sums as (
    select
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        from_stage,
        to_stage,
        sum(entered_count) as entered_count,
        sum(converted_count) as converted_count
    from conversion
    group by
        cohort_grain,
        cohort_start_date,
        mode,
        dimension_type,
        from_stage,
        to_stage
),

slices as (
    select
        'slices' as broken_rule,
        slice_sums.cohort_grain,
        slice_sums.cohort_start_date,
        slice_sums.mode,
        slice_sums.dimension_type,
        slice_sums.from_stage,
        slice_sums.to_stage
    from slice_sums
    inner join slice_sums as totals
        on
            slice_sums.cohort_grain = totals.cohort_grain
            and slice_sums.cohort_start_date = totals.cohort_start_date
            and slice_sums.mode = totals.mode
            and slice_sums.from_stage = totals.from_stage
            and slice_sums.to_stage = totals.to_stage
            and totals.dimension_type = 'total'
    where
        slice_sums.entered_count <> totals.entered_count
        or slice_sums.converted_count <> totals.converted_count
),

monthly_conversions as (
    select
        conversions.from_stage,
        conversions.to_stage,
        conversions.is_converted,
        cast(
            {{ dbt.date_trunc('month', 'conversions.from_entered_date') }}
            as date
        ) as cohort_start_date
    from {{ ref('int_funnel__conversions') }} as conversions
    inner join {{ ref('dim_person') }} as persons
        on conversions.person_id = persons.person_id
),

base_counts as (
    select
        cohort_start_date,
        from_stage,
        to_stage,
        count(*) as entered_count,
        sum(case when is_converted then 1 else 0 end) as converted_count
    from monthly_conversions
    group by cohort_start_date, from_stage, to_stage
),

total_rows as (
    select * from conversion
    where
        cohort_grain = 'month'
        and mode = 'inclusive'
        and dimension_type = 'total'
),

base as (
    select
        'base' as broken_rule,
        'month' as cohort_grain,
        base_counts.cohort_start_date,
        'inclusive' as mode,
        'total' as dimension_type,
        base_counts.from_stage,
        base_counts.to_stage
    from base_counts
    full outer join total_rows
        on
            base_counts.cohort_start_date = total_rows.cohort_start_date
            and base_counts.from_stage = total_rows.from_stage
            and base_counts.to_stage = total_rows.to_stage
    where
        total_rows.entered_count is null
        or base_counts.entered_count is null
        or base_counts.entered_count <> total_rows.entered_count
        or base_counts.converted_count <> total_rows.converted_count
),

final as (
    select * from rates
    union all
    select * from strict_within_inclusive
    union all
    select * from slices
    union all
    select * from base
)

select * from final

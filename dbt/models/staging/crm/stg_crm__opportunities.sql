{{ config(
    materialized=incremental_where_supported(),
    on_schema_change='fail',
    pre_hook="{{ delete_changed_records(source('crm', 'opportunity'), 'id', 'opportunity_id') }}"
) }}

with current_state as (
    {{ current_state(
        source('crm', 'opportunity'), ['id'], modstamp='system_modstamp', incremental=true
    ) }}
),

final as (
    select
        id as opportunity_id,
        account_id,
        owner_id,
        created_by_id,
        name,
        type,
        stage_name,
        amount as amount_local,
        acv_c as acv_local,
        currency_iso_code,
        close_date,
        probability as probability_pct_raw,
        case when probability between 0 and 100 then probability / 100.0 end
            as probability,
        forecast_category_name,
        lead_source,
        campaign_id,
        pipeline_source_c as pipeline_source,
        is_closed,
        is_won,
        next_step,
        created_date as created_at,
        system_modstamp as modified_at,
        _batch as source_batch,
        _row_number as source_row_number,
        _loaded_at as source_loaded_at
    from current_state
)

select * from final

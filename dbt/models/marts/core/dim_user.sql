with users as (
    select * from {{ ref('stg_crm__users') }}
),

roles as (
    select * from {{ ref('stg_crm__user_roles') }}
),

final as (
    select
        users.user_id,
        users.name as user_name,
        users.is_active,
        users.sales_role,
        users.region,
        users.user_role_id,
        roles.name as role_name,
        users.manager_id,
        users.created_at
    from users
    left join roles
        on users.user_role_id = roles.user_role_id
)

select * from final

"""The extract contract: every object, its columns, types, keys and kind.

This module is the single source of truth for ingestion (which columns are required, how each is
typed, which rows break the contract) and for the dbt source definitions, which are rendered from
it (``python -m dagster_project.ingest.contract`` rewrites them; a test keeps them in step).
Column names are the snake_case form of the Salesforce API names (see ``lib.naming``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from dagster_project.lib.naming import folder_key

# Contract type -> DuckDB type of the raw column. Money is decimal so that totals balance to the
# cent; scores, probabilities and quantities are floating point.
DUCKDB_TYPES = {
    "string": "varchar",
    "boolean": "boolean",
    "integer": "bigint",
    "double": "double",
    "money": "decimal(38, 6)",
    "date": "date",
    "timestamp": "timestamp",
}

# Columns every CRM/marketing state object may carry: the modification stamp that orders versions,
# and the two deletion flags (Salesforce's own and Fivetran's soft-delete).
_STATE_COMMON = ("system_modstamp:timestamp", "is_deleted:boolean", "_fivetran_deleted:boolean")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    description: str = ""

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class ObjectContract:
    """One extract object (a folder in the landing zone)."""

    source: str
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("id",)
    # "state": records that change (current state = latest version); "history": append-only,
    # de-duplicated by key; "reference": small lookup lists, latest batch wins.
    kind: str = "state"
    modstamp: str | None = "system_modstamp"
    # Groups of columns of which at least one must hold a value (OpportunityStage's
    # ApiName-or-MasterLabel).
    required_any: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    # Other vendors' names for contract columns, as (their snake_case name, contract column):
    # used when a batch lacks the contract column and has the alias (Marketo's lead `id`).
    aliases: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def table(self) -> str:
        return self.name

    @property
    def asset_key(self) -> list[str]:
        return [self.source, self.name]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def salesforce_id_columns(self) -> list[str]:
        """Columns holding Salesforce record ids, normalised to the 18-character form on load:
        a CRM object's ``id`` and ``*_id`` columns, and the marketing objects' links to CRM
        records (``crm_*_id``, ``campaign_id``)."""
        return [
            c.name
            for c in self.columns
            if c.type == "string"
            and (
                (self.source == "crm" and (c.name == "id" or c.name.endswith("_id")))
                or (
                    self.source == "marketing"
                    and (c.name == "campaign_id" or c.name.startswith("crm_"))
                    and c.name.endswith("_id")
                )
            )
        ]


_DESCRIPTIONS = {
    "id": "Record id (primary key of the extract object).",
    "name": "Display name.",
    "owner_id": "Owning user (User.Id).",
    "account_id": "Account (Account.Id).",
    "opportunity_id": "Opportunity (Opportunity.Id).",
    "campaign_id": "CRM campaign (Campaign.Id).",
    "lead_id": "Lead (Lead.Id).",
    "contact_id": "Contact (Contact.Id).",
    "created_date": "When the record was created (UTC timestamp).",
    "created_by_id": "User who created the record.",
    "system_modstamp": "Last modification stamp; orders record versions (UTC timestamp).",
    "is_deleted": "Deleted in the source system; kept in raw, excluded downstream.",
    "_fivetran_deleted": "Soft-delete flag of Fivetran connectors; treated like is_deleted.",
    "email": "E-mail address as entered.",
    "lead_source": "Lead source picklist value.",
    "region_c": "Sales region (custom field Region__c).",
    "segment_c": "Customer segment (custom field Segment__c).",
    "is_active": "Active flag.",
    "field": "Tracked field's API name.",
    "old_value": "Value before the change (text).",
    "new_value": "Value after the change (text).",
    "iso_code": "ISO 4217 currency code.",
    "conversion_rate": "Units of this currency per one unit of the corporate currency.",
    "number_of_employees": "Employee count.",
    "industry": "Industry picklist value.",
    "type": "Type picklist value.",
    "status": "Status picklist value.",
    "country": "Country as entered.",
}


def _cols(*specs: str, **descriptions: str) -> tuple[Column, ...]:
    """Build columns from ``"name[*]:type"`` specs; ``*`` marks a required column."""
    out = []
    for spec in specs:
        name, _, typ = spec.partition(":")
        required = name.endswith("*")
        name = name.rstrip("*")
        if typ not in DUCKDB_TYPES:
            raise ValueError(f"unknown contract type {typ!r} for {name}")
        desc = descriptions.get(name) or _DESCRIPTIONS.get(name, "")
        out.append(Column(name, typ, required, desc))
    return tuple(out)


def _state(*specs: str, **descriptions: str) -> tuple[Column, ...]:
    return _cols(*specs, *_STATE_COMMON, **descriptions)


def _field_history(parent: str) -> tuple[Column, ...]:
    """Salesforce <Object>History / <Object>FieldHistory: one row per tracked field change."""
    return _cols(
        "id*:string",
        f"{parent}_id*:string",
        "field*:string",
        "old_value:string",
        "new_value:string",
        "created_date*:timestamp",
        "is_deleted:boolean",
    )


CONTRACTS: tuple[ObjectContract, ...] = (
    # ---- CRM (Salesforce-shaped) -------------------------------------------------------------
    ObjectContract(
        "crm",
        "user",
        "Salesforce users (sales reps and managers).",
        _state(
            "id*:string",
            "name:string",
            "is_active:boolean",
            "user_role_id:string",
            "manager_id:string",
            "sales_role_c:string",
            "region_c:string",
            "created_date:timestamp",
            user_role_id="Role in the role hierarchy (UserRole.Id).",
            manager_id="Manager (User.Id).",
            sales_role_c="Sales role: AE, BDR, SDR, ECS, Cloud Sales, ... (custom field).",
        ),
    ),
    ObjectContract(
        "crm",
        "user_role",
        "Role hierarchy.",
        _state(
            "id*:string",
            "name:string",
            "parent_role_id:string",
            parent_role_id="Parent role (UserRole.Id).",
        ),
    ),
    ObjectContract(
        "crm",
        "account",
        "Customer and prospect companies.",
        _state(
            "id*:string",
            "name:string",
            "industry:string",
            "type:string",
            "billing_country:string",
            "number_of_employees:integer",
            "annual_revenue:money",
            "owner_id:string",
            "segment_c:string",
            "region_c:string",
            "created_date:timestamp",
            billing_country="Billing country.",
            annual_revenue="Annual revenue (local currency).",
        ),
    ),
    ObjectContract(
        "crm",
        "contact",
        "People at accounts.",
        _state(
            "id*:string",
            "account_id:string",
            "email:string",
            "lead_source:string",
            "owner_id:string",
            "created_date:timestamp",
        ),
    ),
    ObjectContract(
        "crm",
        "lead",
        "Leads (people not yet converted to contacts).",
        _state(
            "id*:string",
            "email:string",
            "company:string",
            "status:string",
            "lead_source:string",
            "owner_id:string",
            "is_converted:boolean",
            "converted_date:date",
            "converted_account_id:string",
            "converted_contact_id:string",
            "converted_opportunity_id:string",
            "country:string",
            "industry:string",
            "number_of_employees:integer",
            "created_date:timestamp",
            company="Company name as entered.",
            is_converted="Converted to contact/account.",
            converted_date="Date of conversion.",
            converted_account_id="Account created or matched at conversion.",
            converted_contact_id="Contact created at conversion.",
            converted_opportunity_id="Opportunity created at conversion.",
        ),
    ),
    ObjectContract(
        "crm",
        "lead_history",
        "Lead field history (status changes and others).",
        _field_history("lead"),
        kind="history",
        modstamp=None,
    ),
    ObjectContract(
        "crm",
        "opportunity",
        "Opportunities (deals).",
        _state(
            "id*:string",
            "account_id:string",
            "owner_id:string",
            "created_by_id:string",
            "name:string",
            "type:string",
            "stage_name*:string",
            "amount:money",
            "acv_c:money",
            "currency_iso_code:string",
            "close_date*:date",
            "probability:double",
            "forecast_category_name:string",
            "lead_source:string",
            "campaign_id:string",
            "pipeline_source_c:string",
            "is_closed:boolean",
            "is_won:boolean",
            "next_step:string",
            "created_date*:timestamp",
            stage_name="Sales stage (OpportunityStage label).",
            amount="Total amount in the opportunity currency.",
            acv_c="Annual contract value in the opportunity currency (custom field ACV__c).",
            currency_iso_code="Currency of the amounts.",
            close_date="Expected or actual close date.",
            probability="Probability in percent (0-100) as Salesforce stores it.",
            forecast_category_name="Forecast category (Pipeline, Best Case, Commit, Closed, "
            "Omitted).",
            campaign_id="Primary campaign source.",
            pipeline_source_c="Sourcing role stamped at creation (custom field).",
            is_closed="Closed flag as extracted.",
            is_won="Won flag as extracted.",
            next_step="The rep's next step on the deal (free text; Clean Your Room flags it "
            "missing).",
        ),
    ),
    ObjectContract(
        "crm",
        "opportunity_history",
        "Opportunity stage/amount/close-date history.",
        _cols(
            "id*:string",
            "opportunity_id*:string",
            "stage_name:string",
            "amount:money",
            "close_date:date",
            "probability:double",
            "forecast_category:string",
            "created_date*:timestamp",
            "created_by_id:string",
            "is_deleted:boolean",
            stage_name="Stage after the change.",
            amount="Amount after the change (opportunity currency).",
            probability="Probability in percent after the change.",
            close_date="Close date after the change (some orgs leave it empty on the first row).",
            forecast_category="Forecast category at that time ('Forecast' means Commit).",
        ),
        kind="history",
        modstamp=None,
    ),
    ObjectContract(
        "crm",
        "opportunity_field_history",
        "Opportunity field history.",
        _field_history("opportunity"),
        kind="history",
        modstamp=None,
    ),
    ObjectContract(
        "crm",
        "opportunity_stage",
        "Opportunity stage metadata.",
        _cols(
            "api_name:string",
            "master_label:string",
            "is_active:boolean",
            "is_closed:boolean",
            "is_won:boolean",
            "default_probability:double",
            "forecast_category_name:string",
            "sort_order:integer",
            api_name="Stage API name.",
            master_label="Stage label.",
            is_closed="Stage closes the deal.",
            is_won="Stage wins the deal.",
            default_probability="Default probability in percent.",
            forecast_category_name="Default forecast category.",
            sort_order="Position of the stage in the sales process.",
        ),
        key=("api_name", "master_label"),
        kind="reference",
        modstamp=None,
        required_any=(("api_name", "master_label"),),
    ),
    ObjectContract(
        "crm",
        "opportunity_line_item",
        "Products on opportunities.",
        _state(
            "id*:string",
            "opportunity_id*:string",
            "product_2_id:string",
            "quantity:double",
            "unit_price:money",
            "total_price:money",
            "created_date:timestamp",
            product_2_id="Product (Product2.Id).",
            quantity="Quantity.",
            unit_price="Unit price (opportunity currency).",
            total_price="Line total (opportunity currency).",
        ),
    ),
    ObjectContract(
        "crm",
        "product_2",
        "Products (Salesforce Product2).",
        _state(
            "id*:string",
            "name:string",
            "product_code:string",
            "family:string",
            "is_active:boolean",
            product_code="Product code.",
            family="Product family.",
        ),
    ),
    ObjectContract(
        "crm",
        "opportunity_contact_role",
        "Contacts' roles on opportunities.",
        _state(
            "id*:string",
            "opportunity_id*:string",
            "contact_id*:string",
            "role:string",
            "is_primary:boolean",
            role="Contact role on the deal.",
            is_primary="Primary contact.",
        ),
    ),
    ObjectContract(
        "crm",
        "campaign",
        "Marketing campaigns (three- to five-level hierarchy).",
        _state(
            "id*:string",
            "name:string",
            "parent_id:string",
            "type:string",
            "status:string",
            "start_date:date",
            "end_date:date",
            "budgeted_cost:money",
            "actual_cost:money",
            "expected_revenue:money",
            "expected_response:double",
            "number_sent:integer",
            "is_active:boolean",
            "owner_id:string",
            "created_date:timestamp",
            parent_id="Parent campaign (Campaign.Id).",
            owner_id="Campaign owner (User.Id).",
            start_date="Start date.",
            end_date="End date.",
            budgeted_cost="Budgeted cost.",
            actual_cost="Actual cost.",
            expected_revenue="Expected revenue.",
            expected_response="Expected response (percent).",
            number_sent="Number sent.",
        ),
    ),
    ObjectContract(
        "crm",
        "campaign_member",
        "Leads and contacts in campaigns.",
        _state(
            "id*:string",
            "campaign_id*:string",
            "lead_id:string",
            "contact_id:string",
            "status:string",
            "has_responded:boolean",
            "first_responded_date:date",
            "created_date:timestamp",
            has_responded="Member status counts as responded.",
            first_responded_date="Date of first response.",
        ),
    ),
    ObjectContract(
        "crm",
        "campaign_member_status",
        "Member statuses per campaign.",
        _state(
            "id*:string",
            "campaign_id*:string",
            "label*:string",
            "has_responded:boolean",
            "is_default:boolean",
            label="Status label.",
            has_responded="Counts as responded.",
            is_default="Default status for new members.",
        ),
    ),
    ObjectContract(
        "crm",
        "task",
        "Tasks (calls, e-mails, to-dos).",
        _state(
            "id*:string",
            "who_id:string",
            "what_id:string",
            "account_id:string",
            "owner_id:string",
            "subject:string",
            "type:string",
            "task_subtype:string",
            "status:string",
            "activity_date:date",
            "created_date:timestamp",
            who_id="Lead or contact.",
            what_id="Related record (opportunity, account, ...).",
            subject="Subject.",
            task_subtype="Task subtype (Call, Email, Task).",
            activity_date="Due date.",
        ),
    ),
    ObjectContract(
        "crm",
        "event",
        "Calendar events (meetings).",
        _state(
            "id*:string",
            "who_id:string",
            "what_id:string",
            "account_id:string",
            "owner_id:string",
            "subject:string",
            "type:string",
            "event_subtype:string",
            "start_date_time:timestamp",
            "activity_date:date",
            "created_date:timestamp",
            who_id="Lead or contact.",
            what_id="Related record.",
            subject="Subject.",
            event_subtype="Event subtype.",
            start_date_time="Start (UTC timestamp).",
            activity_date="Date of the event.",
        ),
    ),
    ObjectContract(
        "crm",
        "currency_type",
        "Static currency conversion rates.",
        _cols(
            "iso_code*:string",
            "conversion_rate*:money",
            "is_corporate:boolean",
            is_corporate="The corporate currency (rate 1).",
        ),
        key=("iso_code",),
        kind="reference",
        modstamp=None,
    ),
    ObjectContract(
        "crm",
        "dated_conversion_rate",
        "Dated conversion rates (advanced currency).",
        _cols(
            "id:string",
            "iso_code*:string",
            "conversion_rate*:money",
            "start_date*:date",
            "next_start_date:date",
            start_date="First day the rate applies.",
            next_start_date="First day of the next rate (exclusive end).",
        ),
        key=("iso_code", "start_date"),
        kind="reference",
        modstamp=None,
    ),
    ObjectContract(
        "crm",
        "forecasting_quota",
        "Sales quotas per user and period.",
        _cols(
            "id:string",
            "quota_owner_id*:string",
            "start_date*:date",
            "quota_amount*:money",
            "currency_iso_code:string",
            quota_owner_id="User the quota belongs to.",
            start_date="First day of the quota period.",
            quota_amount="Quota amount.",
            currency_iso_code="Currency of the quota.",
        ),
        key=("quota_owner_id", "start_date"),
        kind="reference",
        modstamp=None,
    ),
    # ---- Marketing automation (vendor-neutral) ----------------------------------------------
    ObjectContract(
        "marketing",
        "prospect",
        "Marketing-automation prospects (known people).",
        _cols(
            "prospect_id*:string",
            "email:string",
            "created_at*:timestamp",
            "crm_lead_id:string",
            "crm_contact_id:string",
            "score:double",
            "updated_at:timestamp",
            "is_deleted:boolean",
            prospect_id="Prospect id in the marketing system.",
            created_at="When the prospect became known.",
            crm_lead_id="Synced CRM lead.",
            crm_contact_id="Synced CRM contact.",
            score="Current marketing score.",
            updated_at="Last update; orders versions.",
        ),
        key=("prospect_id",),
        modstamp="updated_at",
        # Marketo (Fivetran's marketo `lead` table) and HubSpot (`contact`) spellings.
        aliases=(
            ("id", "prospect_id"),
            ("vid", "prospect_id"),
            ("sfdc_lead_id", "crm_lead_id"),
            ("sfdc_contact_id", "crm_contact_id"),
            ("lead_score", "score"),
            ("createdate", "created_at"),
        ),
    ),
    ObjectContract(
        "marketing",
        "visitor",
        "Anonymous web visitors (cookies).",
        _cols(
            "visitor_id*:string",
            "first_seen_at*:timestamp",
            "prospect_id:string",
            visitor_id="Visitor (cookie) id.",
            first_seen_at="First web visit.",
            prospect_id="Prospect, once the visitor is identified.",
        ),
        key=("visitor_id",),
        modstamp=None,
    ),
    ObjectContract(
        "marketing",
        "activity",
        "Marketing activities (visits, e-mails, forms...).",
        _cols(
            "activity_id*:string",
            "occurred_at*:timestamp",
            "activity_type*:string",
            "prospect_id:string",
            "visitor_id:string",
            "campaign_id:string",
            "program_name:string",
            "url:string",
            "score_delta:double",
            "score_after:double",
            activity_id="Activity id.",
            occurred_at="When it happened (UTC).",
            activity_type="web_visit, email_send, email_open, email_click, form_submit, "
            "content_download, webinar_register, webinar_attend, event_attend, "
            "unsubscribe or score_change.",
            prospect_id="Prospect.",
            visitor_id="Visitor.",
            campaign_id="CRM campaign the activity syncs to.",
            program_name="Marketing program.",
            url="Page or asset URL.",
            score_delta="Score change.",
            score_after="Score after the change.",
        ),
        key=("activity_id",),
        kind="history",
        modstamp=None,
        # Marketo's activity tables (one per activity type in Fivetran's schema): the type is
        # Marketo's numeric id; map it to names in var funnel_engaging_activity_types.
        aliases=(
            ("id", "activity_id"),
            ("activity_date", "occurred_at"),
            ("lead_id", "prospect_id"),
            ("activity_type_id", "activity_type"),
            ("link", "url"),
        ),
    ),
    # ---- Plan -------------------------------------------------------------------------------
    ObjectContract(
        "plan",
        "target",
        "Targets by fiscal period, metric and dimension.",
        _cols(
            "fiscal_period*:string",
            "metric*:string",
            "dimension_type*:string",
            "dimension_value*:string",
            "amount*:money",
            fiscal_period="Fiscal quarter (FY2026-Q3) or a month start date.",
            metric="closed_won_acv, pipeline_generation, mql_count, sql_count, ...",
            dimension_type="total, product, region, segment or source.",
            dimension_value="Value of the dimension ('total' for the total row).",
            amount="Target amount (corporate currency, or a count).",
        ),
        key=("fiscal_period", "metric", "dimension_type", "dimension_value"),
        kind="reference",
        modstamp=None,
    ),
)

SOURCES = ("crm", "marketing", "plan")


@cache
def contracts_by_folder() -> dict[tuple[str, str], ObjectContract]:
    """(source, folder key) -> contract, for matching landing folders style-insensitively."""
    return {(c.source, folder_key(c.name)): c for c in CONTRACTS}


def find_contract(source: str, folder: str) -> ObjectContract | None:
    return contracts_by_folder().get((source, folder_key(folder)))


def get_contract(source: str, name: str) -> ObjectContract:
    for c in CONTRACTS:
        if c.source == source and c.name == name:
            return c
    raise KeyError(f"{source}.{name} is not in the extract contract")


def render_dbt_sources(source: str) -> str:
    """The dbt sources YAML of one source system, rendered from the contract."""
    lines = [
        "# Rendered from dagster_project/ingest/contract.py; edit the contract, then run",
        "#   python -m dagster_project.ingest.contract",
        "version: 2",
        "",
        "sources:",
        f"  - name: {source}",
        f"    description: Raw {source} extracts loaded by the ingest assets (typed, every "
        "batch, with lineage columns _batch, _file, _row_number, _loaded_at, _checksum).",
        f"    schema: {source}",
        "    quoting:",
        "      identifier: true  # 'user' is a reserved word on Postgres",
        "    config:",
        "      loaded_at_field: _loaded_at",
        "      freshness:",
        "        warn_after: {count: 2, period: day}",
        "    tables:",
    ]
    for c in CONTRACTS:
        if c.source != source:
            continue
        lines += [
            f"      - name: {c.name}",
            f'        description: "{c.description} Kind: {c.kind}; key: {", ".join(c.key)}."',
            "        columns:",
        ]
        for col in c.columns:
            req = " Required." if col.required else ""
            desc = (col.description + req).replace('"', "'")
            lines += [f"          - name: {col.name}", f'            description: "{desc}"']
    return "\n".join(lines) + "\n"


def sources_path(repo_root, source: str):
    from pathlib import Path

    return Path(repo_root) / "dbt" / "models" / "staging" / source / f"_{source}__sources.yml"


if __name__ == "__main__":
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for src in SOURCES:
        path = sources_path(root, src)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_dbt_sources(src))
        print(f"wrote {path.relative_to(root)}")

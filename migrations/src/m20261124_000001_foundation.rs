//! The foundation: the hierarchy, people, roles, personal assignments, sign-in, the audit log,
//! settings and the job queue.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The hierarchy in one table: region (the tenant) → district → municipality → school.
        // Every ancestor is stored on the row, so scope checks and "everything in this
        // municipality" are plain comparisons.
        m.create_table(
            entity_table("org_units")
                .col(string_len("kind", 16))
                .col(string("name"))
                .col(string_null("short_name"))
                .col(string("sort_key"))
                .col(uuid_null("parent_id"))
                .col(uuid("region_id"))
                .col(uuid_null("district_id"))
                .col(uuid_null("municipality_id"))
                .col(string_null("external_id"))
                .col(timestamp_with_time_zone_null("archived_at"))
                .foreign_key(&mut fk(
                    "org_units",
                    "parent_id",
                    "org_units",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("org_units", &["parent_id"]),
            index("org_units", &["region_id", "kind"]),
            index("org_units", &["municipality_id"]),
            index("org_units", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        // Per-tenant rules (a region may allow longer routes than the regulation's year).
        m.create_table(
            Table::create()
                .table("region_policies")
                .col(uuid("region_id").primary_key())
                .col(integer("max_route_months").default(12))
                .col(integer("max_extension_months").default(6))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "region_policies",
                    "region_id",
                    "org_units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            entity_table("users")
                .col(string("email"))
                .col(string_null("password_hash"))
                .col(string("surname"))
                .col(string("first_name"))
                .col(string_null("patronymic"))
                .col(string("sort_key"))
                .col(string_null("phone"))
                .col(string_null("position"))
                .col(integer_null("teaching_experience_years"))
                .col(integer_null("position_experience_years"))
                .col(string_null("qualification_category"))
                .col(date_null("qualification_date"))
                .col(uuid_null("workplace_id"))
                .col(string_null("external_id"))
                .col(boolean("active").default(true))
                .col(timestamp_with_time_zone_null("last_login_at"))
                .foreign_key(&mut fk(
                    "users",
                    "workplace_id",
                    "org_units",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            unique("users", &["email"]),
            index("users", &["workplace_id", "sort_key"]),
            index("users", &["sort_key"]),
            index("users", &["external_id"]),
            index("users", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        // A role held by a person, scoped to a unit (NULL only for the platform administrator).
        m.create_table(
            entity_table("role_grants")
                .col(uuid("user_id"))
                .col(string_len("role", 32))
                .col(uuid_null("unit_id"))
                .col(uuid_null("granted_by"))
                .foreign_key(&mut fk(
                    "role_grants",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "role_grants",
                    "unit_id",
                    "org_units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("role_grants", &["user_id"]),
            index("role_grants", &["unit_id", "role"]),
            index("role_grants", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        // Personal links: a tutor, a methodist-mentor or an expert assigned to a teacher. The
        // teacher's consent to the tutor seeing their routes lives on the link (regulation 3.1.3).
        m.create_table(
            entity_table("assignments")
                .col(string_len("kind", 16))
                .col(uuid("staff_id"))
                .col(uuid("teacher_id"))
                .col(timestamp_with_time_zone_null("consent_at"))
                .col(uuid_null("created_by"))
                .foreign_key(&mut fk(
                    "assignments",
                    "staff_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "assignments",
                    "teacher_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            unique("assignments", &["teacher_id", "kind", "staff_id"]),
            index("assignments", &["staff_id", "kind"]),
            index("assignments", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        // Refresh tokens, stored as hashes; a family is one sign-in's chain of rotations.
        m.create_table(
            Table::create()
                .table("refresh_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(uuid("family_id"))
                .col(string("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "refresh_tokens",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            unique("refresh_tokens", &["token_hash"]),
            index("refresh_tokens", &["family_id"]),
            index("refresh_tokens", &["user_id"]),
        ] {
            m.create_index(ix).await?;
        }

        // Failed sign-ins per account and per address, shared by every API instance.
        m.create_table(
            Table::create()
                .table("login_throttle")
                .col(string("key").primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("window_started_at"))
                .col(timestamp_with_time_zone_null("blocked_until"))
                .to_owned(),
        )
        .await?;

        // Who did what to which object, when. Append-only.
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(uuid("id").primary_key())
                .col(timestamp_with_time_zone("occurred_at"))
                .col(uuid_null("actor_id"))
                .col(string_len("actor_kind", 16))
                .col(string_len("action", 64))
                .col(string_len("entity_type", 32))
                .col(uuid_null("entity_id"))
                .col(text("details"))
                .col(string_null("request_id"))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("audit_log", &["entity_type", "entity_id", "occurred_at"]),
            index("audit_log", &["actor_id", "occurred_at"]),
            index("audit_log", &["occurred_at"]),
        ] {
            m.create_index(ix).await?;
        }

        // Platform settings every instance shares (the generated signing secret, for one).
        m.create_table(
            Table::create()
                .table("settings")
                .col(string("key").primary_key())
                .col(text("value"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        // The one background job queue (mail, webhooks, rollups), shared safely by several
        // instances: a job is claimed by moving its lease forward in a single conditional update.
        m.create_table(
            entity_table("jobs")
                .col(string_len("kind", 64))
                .col(text("payload"))
                .col(string_len("state", 16))
                .col(integer("attempts").default(0))
                .col(integer("max_attempts"))
                .col(timestamp_with_time_zone("run_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(string_null("locked_by"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("jobs", &["state", "run_at"]),
            index("jobs", &["kind", "state"]),
        ] {
            m.create_index(ix).await?;
        }
        Ok(())
    }
}

//! Schema for documents: completion certificates and their per-region numbering.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A certificate keeps what it certified as it was at issue (names, title, period,
        // tasks, hours, conclusion), so later edits or renames never change an issued document.
        m.create_table(
            entity_table("certificates")
                .col(uuid("route_id"))
                .col(uuid("teacher_id"))
                .col(uuid("region_id"))
                .col(uuid("school_id"))
                .col(uuid_null("municipality_id"))
                // Human number: region-year-sequence.
                .col(string_len("number", 64))
                // The unguessable code in the public verification link.
                .col(string_len("code", 64))
                .col(string("person_name"))
                .col(string("route_title"))
                .col(date("period_start"))
                .col(date("period_end"))
                .col(string("issuer"))
                .col(double_null("hours"))
                // JSON: tasks, competencies, conclusion, school.
                .col(text("content"))
                .col(timestamp_with_time_zone("issued_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(uuid_null("revoked_by"))
                .col(text_null("revoke_reason"))
                .foreign_key(&mut fk(
                    "certificates",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "certificates",
                    "teacher_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("certificates", &["number"])).await?;
        m.create_index(unique("certificates", &["code"])).await?;
        m.create_index(index("certificates", &["route_id"])).await?;
        m.create_index(index("certificates", &["teacher_id"]))
            .await?;
        m.create_index(index("certificates", &["region_id", "issued_at"]))
            .await?;
        m.create_index(index("certificates", &["updated_at"]))
            .await?;

        // The last number issued per region and year; incremented under the row lock of the
        // issuing transaction so two completions never share a number.
        m.create_table(
            Table::create()
                .table("certificate_counters")
                .col(string_len("key", 64).primary_key())
                .col(integer("last"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

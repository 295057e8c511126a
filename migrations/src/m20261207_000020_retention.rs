//! Per region, how long routes, their files, diagnostic results and access records are kept,
//! and the report of each run of the rules (what was anonymised or deleted).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A region without a row keeps the defaults (three years for everything).
        m.create_table(
            Table::create()
                .table("retention_policies")
                .col(uuid("region_id").primary_key())
                .col(integer("routes_years"))
                .col(integer("files_years"))
                .col(integer("results_years"))
                .col(integer("audit_years"))
                .col(uuid_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            entity_table("retention_runs")
                .col(uuid("region_id"))
                .col(string_len("trigger", 16))
                .col(uuid_null("started_by"))
                // The periods applied and the counts per kind of record (JSON).
                .col(text("policy"))
                .col(text("outcome"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("retention_runs", &["region_id", "created_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("retention_runs").to_owned())
            .await?;
        m.drop_table(Table::drop().table("retention_policies").to_owned())
            .await
    }
}

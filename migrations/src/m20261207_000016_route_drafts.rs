//! Drafting routes in bulk from a diagnostic campaign: one row per drafting job, holding the
//! selection resolved to its teachers and the job's progress, which the job's batches advance
//! in the same transaction as each teacher's draft.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            entity_table("route_draft_jobs")
                .col(uuid("campaign_id"))
                .col(uuid("region_id"))
                .col(uuid("requested_by"))
                // The queue's job that runs the next batch.
                .col(uuid("job_id"))
                .col(string_len("status", 16))
                .col(text("selection"))
                // The selected teachers' ids, as a JSON array, in the order they are drafted.
                .col(text("teachers"))
                .col(date("period_start"))
                .col(date("period_end"))
                .col(string_len("title", 300))
                .col(string_len_null("track", 200))
                .col(integer("total"))
                .col(integer("done"))
                .col(integer("created"))
                .col(integer("skipped"))
                .col(integer("failed"))
                .col(text("failures"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .foreign_key(&mut fk(
                    "route_draft_jobs",
                    "campaign_id",
                    "diagnostic_campaigns",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "route_draft_jobs",
                    "requested_by",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_draft_jobs", &["campaign_id"]))
            .await?;
        // Whether a teacher already has a route from a campaign is asked per teacher.
        m.create_index(index("route_diagnostics", &["campaign_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_route_diagnostics_campaign_id")
                .table("route_diagnostics")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("route_draft_jobs").to_owned())
            .await
    }
}

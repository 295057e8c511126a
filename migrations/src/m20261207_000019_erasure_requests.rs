//! Requests to erase a person's data: who asked, the regional manager's decision and what was
//! erased. A request outlives its subject: once carried out it keeps no link to the person.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys to users: the request stays after its subject is gone.
        m.create_table(
            entity_table("erasure_requests")
                .col(uuid_null("subject_id"))
                .col(uuid("region_id"))
                .col(uuid_null("requested_by"))
                .col(boolean("by_subject"))
                .col(text_null("reason"))
                .col(string_len("status", 16))
                .col(uuid_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(text_null("decision_note"))
                // What was erased, as counts per kind of record (JSON).
                .col(text_null("outcome"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("erasure_requests", &["region_id", "status"]))
            .await?;
        m.create_index(index("erasure_requests", &["subject_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("erasure_requests").to_owned())
            .await
    }
}

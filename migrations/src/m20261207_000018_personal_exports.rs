//! A person's export of everything the platform holds about them (152-ФЗ, art. 14): one row per
//! export, with its progress while the background job assembles the archive, where the archive
//! is stored, and when it expires (the housekeeping deletes the row and the file then).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            entity_table("personal_exports")
                .col(uuid("user_id"))
                // pending, running, done, failed.
                .col(string_len("status", 16))
                // 0–100.
                .col(integer("progress"))
                // The archive's file name in the files directory, once written.
                .col(string_len_null("storage_key", 100))
                .col(big_integer_null("size_bytes"))
                .col(string_len_null("error", 2000))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk(
                    "personal_exports",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("personal_exports", &["user_id", "created_at"]))
            .await?;
        m.create_index(index("personal_exports", &["expires_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("personal_exports").to_owned())
            .await
    }
}

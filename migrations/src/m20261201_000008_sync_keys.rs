//! Sync feed rows that stand for a pair rather than a row: a person's results in a diagnostic
//! campaign. The feed keeps the pair beside the item's id, so a page is read back without
//! a mapping table, and a tombstone still says whose results in which campaign are gone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column at a time.
        for col in ["parent_id", "person_id"] {
            m.alter_table(
                Table::alter()
                    .table("sync_feed")
                    .add_column(uuid_null(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["person_id", "parent_id"] {
            m.alter_table(
                Table::alter()
                    .table("sync_feed")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

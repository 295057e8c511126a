//! A draft framework's revision: the number of times it was saved, sent back with the next
//! change so that two editors never overwrite each other (a stale revision gets 412).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("frameworks")
                .add_column(ColumnDef::new("revision").integer().not_null().default(1))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("frameworks")
                .drop_column("revision")
                .to_owned(),
        )
        .await
    }
}

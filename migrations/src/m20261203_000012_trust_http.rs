//! The audit log keeps the client's address (behind a trusted proxy, the forwarded one), so an
//! entry says where an action came from as well as who did it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("audit_log")
                // An IPv6 address in text is at most 45 characters.
                .add_column(string_len_null("address", 45))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("audit_log")
                .drop_column("address")
                .to_owned(),
        )
        .await
    }
}

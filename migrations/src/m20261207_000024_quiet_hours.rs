//! A person's quiet hours: letters due within them wait until they end.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A person without a row has none.
        m.create_table(
            Table::create()
                .table("quiet_hours")
                .col(uuid("user_id").primary_key())
                .col(integer("from_hour"))
                .col(integer("to_hour"))
                .col(integer("utc_offset_minutes"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("quiet_hours").to_owned())
            .await
    }
}

//! Per-person notification settings: for each kind of notice, whether it stays in the platform
//! or also comes by e-mail. A kind without a row has its default (see `shared::events`), so
//! only choices people made are stored.
//!
//! Letters may carry a `List-Unsubscribe` address; like a link's secret in the body, it is
//! stored with a placeholder for its token.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            entity_table("notification_settings")
                .col(uuid("user_id"))
                .col(string_len("kind", 64))
                .col(string_len("channel", 16))
                .foreign_key(&mut fk(
                    "notification_settings",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("notification_settings", &["user_id", "kind"]))
            .await?;
        m.alter_table(
            Table::alter()
                .table("mail_messages")
                .add_column(ColumnDef::new("list_unsubscribe").text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("mail_messages")
                .drop_column("list_unsubscribe")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("notification_settings").to_owned())
            .await
    }
}

//! Trust in who people are: a per-person security stamp that every access token carries (so a
//! sign-out, a new password or an e-mail change ends the access tokens already issued), the
//! start of each sign-in (for its absolute lifetime), the new address of an e-mail change
//! awaiting confirmation, the one-time secret of a letter kept apart from its stored text (and
//! dropped once the letter is sent), and the person an audit entry concerns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_null, text_null, timestamp_with_time_zone_null, uuid_null};

use crate::conventions::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite alters one column per statement.
async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

async fn drop(m: &SchemaManager<'_>, table: &'static str, col: &'static str) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(
            m,
            "users",
            ColumnDef::new("security_stamp")
                .string_len(64)
                .not_null()
                .default("")
                .to_owned(),
        )
        .await?;
        add(
            m,
            "refresh_tokens",
            timestamp_with_time_zone_null("session_started_at"),
        )
        .await?;
        add(m, "one_time_tokens", string_null("new_email")).await?;
        add(m, "mail_messages", text_null("secret")).await?;
        add(m, "audit_log", uuid_null("subject_id")).await?;
        m.create_index(index("audit_log", &["subject_id", "occurred_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_audit_log_subject_id_occurred_at")
                .table("audit_log")
                .to_owned(),
        )
        .await?;
        drop(m, "audit_log", "subject_id").await?;
        drop(m, "mail_messages", "secret").await?;
        drop(m, "one_time_tokens", "new_email").await?;
        drop(m, "refresh_tokens", "session_started_at").await?;
        drop(m, "users", "security_stamp").await
    }
}

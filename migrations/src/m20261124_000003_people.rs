//! People administration: one-time links (invitations, password resets), the mail outbox and
//! staff imports.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One-time links: only a hash of the token is kept; a link works once and expires.
        m.create_table(
            entity_table("one_time_tokens")
                .col(uuid("user_id"))
                .col(string_len("purpose", 32))
                .col(string("token_hash"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "one_time_tokens",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("one_time_tokens", &["token_hash"]))
            .await?;
        m.create_index(index("one_time_tokens", &["user_id", "purpose"]))
            .await?;

        // Every message the platform sends; with no SMTP configured this is the outbox
        // administrators read.
        m.create_table(
            entity_table("mail_messages")
                .col(uuid_null("user_id"))
                .col(string_len("kind", 32))
                .col(string("to_address"))
                .col(string("subject"))
                .col(text("body"))
                .col(string_len("status", 16))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .foreign_key(&mut fk(
                    "mail_messages",
                    "user_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("mail_messages", &["created_at"]))
            .await?;
        m.create_index(index("mail_messages", &["user_id"])).await?;

        // A staff import between its preview and its commit.
        m.create_table(
            entity_table("people_imports")
                .col(uuid("created_by"))
                .col(string("file_name"))
                .col(uuid_null("unit_id"))
                .col(boolean("invite"))
                .col(string_len("status", 16))
                .col(text("rows"))
                .col(text_null("result"))
                .foreign_key(&mut fk(
                    "people_imports",
                    "created_by",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("people_imports", &["created_by", "created_at"]))
            .await?;
        Ok(())
    }
}

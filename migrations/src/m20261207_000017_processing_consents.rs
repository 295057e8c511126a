//! Consent to the processing of personal data as its own record: the region's purposes, every
//! version of each purpose's text (what a person agreed to is kept word for word), and every
//! decision, given or withdrawn, electronic or on paper (with the scan's stored file).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            entity_table("consent_purposes")
                .col(uuid("region_id"))
                .col(string_len("kind", 24))
                .col(string_len("title", 200))
                .col(text("body"))
                .col(integer("version"))
                .col(boolean("required"))
                .col(boolean("active"))
                .foreign_key(&mut fk(
                    "consent_purposes",
                    "region_id",
                    "org_units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("consent_purposes", &["region_id"]))
            .await?;
        m.create_table(
            entity_table("consent_texts")
                .col(uuid("purpose_id"))
                .col(integer("version"))
                .col(string_len("title", 200))
                .col(text("body"))
                .foreign_key(&mut fk(
                    "consent_texts",
                    "purpose_id",
                    "consent_purposes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("consent_texts", &["purpose_id", "version"]))
            .await?;
        m.create_table(
            entity_table("consent_records")
                .col(uuid("user_id"))
                .col(uuid("purpose_id"))
                .col(integer("version"))
                .col(boolean("given"))
                .col(string_len("method", 16))
                // Who registered a paper consent; null for the person's own decision.
                .col(uuid_null("registered_by"))
                .col(date_null("signed_on"))
                .col(string_len_null("scan_key", 80))
                .col(string_len_null("scan_type", 80))
                .foreign_key(&mut fk(
                    "consent_records",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "consent_records",
                    "purpose_id",
                    "consent_purposes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("consent_records", &["user_id", "purpose_id"]))
            .await?;
        // The integration feeds ask, per page, which of its people said no to a purpose.
        m.create_index(index("consent_records", &["purpose_id", "user_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["consent_records", "consent_texts", "consent_purposes"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

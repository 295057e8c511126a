//! Schema for diagnostics: campaigns, their results per person and competency, and result
//! imports between preview and commit. (Frameworks, groups and competencies with their score
//! ranges and deficit rule are in the routes migration.)

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            entity_table("diagnostic_campaigns")
                .col(uuid("region_id"))
                .col(string("name"))
                .col(string_len("level", 32))
                .col(string_len("kind", 32))
                .col(uuid("framework_id"))
                .col(date_null("date"))
                .col(uuid("organiser_id"))
                // Who it covers: everyone working in this unit's subtree.
                .col(uuid("unit_id"))
                .col(text_null("description"))
                .col(uuid("created_by"))
                .foreign_key(&mut fk(
                    "diagnostic_campaigns",
                    "framework_id",
                    "frameworks",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "diagnostic_campaigns",
                    "organiser_id",
                    "org_units",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "diagnostic_campaigns",
                    "unit_id",
                    "org_units",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("diagnostic_campaigns", &["region_id", "date"]))
            .await?;
        m.create_index(index("diagnostic_campaigns", &["updated_at"]))
            .await?;

        // One result per person, campaign and competency. Where the person worked is copied in
        // when the result is written: the managers' view groups by it without joins, and a
        // result stays with the school where it was obtained.
        m.create_table(
            entity_table("diagnostic_results")
                .col(uuid("campaign_id"))
                .col(uuid("person_id"))
                .col(uuid("competency_id"))
                .col(string_len("level", 16))
                .col(double_null("score"))
                .col(text_null("comment"))
                .col(string_len("source", 16))
                .col(uuid("region_id"))
                .col(uuid_null("district_id"))
                .col(uuid_null("municipality_id"))
                .col(uuid_null("school_id"))
                .col(uuid("entered_by"))
                .foreign_key(&mut fk(
                    "diagnostic_results",
                    "campaign_id",
                    "diagnostic_campaigns",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "diagnostic_results",
                    "person_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "diagnostic_results",
                    "competency_id",
                    "competencies",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            unique(
                "diagnostic_results",
                &["campaign_id", "person_id", "competency_id"],
            ),
            index(
                "diagnostic_results",
                &["campaign_id", "municipality_id", "school_id"],
            ),
            index("diagnostic_results", &["campaign_id", "district_id"]),
            index("diagnostic_results", &["person_id"]),
            index("diagnostic_results", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        // A result import between its preview and its commit.
        m.create_table(
            entity_table("diagnostic_imports")
                .col(uuid("campaign_id"))
                .col(uuid("created_by"))
                .col(string("file_name"))
                .col(string_len("match_by", 16))
                .col(string_len("status", 16))
                .col(text("rows"))
                .col(text_null("result"))
                .foreign_key(&mut fk(
                    "diagnostic_imports",
                    "campaign_id",
                    "diagnostic_campaigns",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "diagnostic_imports",
                    "created_by",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("diagnostic_imports", &["created_by", "created_at"]))
            .await?;
        Ok(())
    }
}

//! The managers' view of a diagnostic at the scale of a region reads counts kept beside the
//! results instead of grouping millions of them on every request:
//!
//! * `diagnostic_counts` — per campaign, place (the deepest unit of the results' copied
//!   place, usually a school, with its path), competency and level: how many results, and how
//!   many of them are deficits by the framework's rule;
//! * `diagnostic_assessed` — per campaign and place: how many people have results.
//!
//! Both are derived data, recomputed from the results for the affected places in the same
//! transaction that writes results, so they have no ids or timestamps of their own and are not
//! synced. Campaigns created before this migration are counted at start-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("diagnostic_counts")
                .col(uuid("campaign_id"))
                .col(uuid("place_id"))
                .col(uuid("region_id"))
                .col(uuid_null("district_id"))
                .col(uuid_null("municipality_id"))
                .col(uuid_null("school_id"))
                .col(uuid("competency_id"))
                .col(string_len("level", 16))
                .col(big_integer("results"))
                .col(big_integer("deficits"))
                .primary_key(
                    Index::create()
                        .col("campaign_id")
                        .col("place_id")
                        .col("competency_id")
                        .col("level"),
                )
                .foreign_key(&mut fk(
                    "diagnostic_counts",
                    "campaign_id",
                    "diagnostic_campaigns",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "diagnostic_counts",
                    "competency_id",
                    "competencies",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("diagnostic_counts", &["campaign_id", "municipality_id"]),
            index("diagnostic_counts", &["campaign_id", "district_id"]),
            index("diagnostic_counts", &["campaign_id", "school_id"]),
            index("diagnostic_counts", &["competency_id"]),
        ] {
            m.create_index(ix).await?;
        }

        m.create_table(
            Table::create()
                .table("diagnostic_assessed")
                .col(uuid("campaign_id"))
                .col(uuid("place_id"))
                .col(uuid("region_id"))
                .col(uuid_null("district_id"))
                .col(uuid_null("municipality_id"))
                .col(uuid_null("school_id"))
                .col(big_integer("people"))
                .primary_key(Index::create().col("campaign_id").col("place_id"))
                .foreign_key(&mut fk(
                    "diagnostic_assessed",
                    "campaign_id",
                    "diagnostic_campaigns",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("diagnostic_assessed", &["campaign_id", "municipality_id"]),
            index("diagnostic_assessed", &["campaign_id", "district_id"]),
            index("diagnostic_assessed", &["campaign_id", "school_id"]),
        ] {
            m.create_index(ix).await?;
        }

        // The results of the affected places are re-counted by school; the list of people with
        // a deficit is read per competency in a unit, a page at a time.
        for ix in [
            index("diagnostic_results", &["campaign_id", "school_id"]),
            index(
                "diagnostic_results",
                &["campaign_id", "competency_id", "municipality_id"],
            ),
        ] {
            m.create_index(ix).await?;
        }
        Ok(())
    }
}

//! Reminders and escalation: the region's policy says how many days before an activity's end
//! the teacher is reminded and how long a route may wait for someone's step before it goes to
//! the school coordinator (and, after twice as long, to the municipal coordinator). The daily
//! scan finds unfinished activities by their end date.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        m.alter_table(
            Table::alter()
                .table("region_policies")
                .add_column(integer("remind_before_days").default(3))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("region_policies")
                .add_column(integer("escalate_after_days").default(7))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_activities", &["end_date"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_route_activities_end_date")
                .table("route_activities")
                .to_owned(),
        )
        .await?;
        for column in ["escalate_after_days", "remind_before_days"] {
            m.alter_table(
                Table::alter()
                    .table("region_policies")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

//! One stream of domain events, and the notifications people read in the platform.
//!
//! Every fact a service records (a route submitted, a product evaluated, a comment added…) is
//! written once to `domain_events`, in the same transaction as the change. Consumers run on the
//! job queue; what they produce carries the event's id, and a unique key per event, recipient and
//! channel makes a delivery happen once however many workers run it, or however often.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `seq` is NULL until the sequencer numbers committed events in order under one lock
        // (as the sync feed does), so a consumer reading by position never misses one that
        // committed late.
        m.create_table(
            Table::create()
                .table("domain_events")
                .col(uuid("id").primary_key())
                .col(big_integer_null("seq"))
                .col(string_len("kind", 64))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(uuid_null("actor_id"))
                .col(uuid_null("route_id"))
                .col(uuid_null("person_id"))
                .col(uuid_null("unit_id"))
                .col(text("payload"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("domain_events", &["seq"])).await?;
        m.create_index(index("domain_events", &["route_id"]))
            .await?;
        m.create_index(index("domain_events", &["person_id"]))
            .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("sync_state")
                .columns(["name", "next_seq"])
                .values_panic(["events".into(), 1i64.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            entity_table("notifications")
                .col(uuid("recipient_id"))
                .col(uuid("event_id"))
                .col(string_len("channel", 16))
                .col(string_len("kind", 64))
                .col(text("text"))
                .col(string_len_null("link", 300))
                .col(uuid_null("route_id"))
                .col(boolean("needs_action"))
                .col(timestamp_with_time_zone_null("read_at"))
                .foreign_key(&mut fk(
                    "notifications",
                    "recipient_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "notifications",
                    "event_id",
                    "domain_events",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "notifications",
            &["event_id", "recipient_id", "channel"],
        ))
        .await?;
        m.create_index(index(
            "notifications",
            &["recipient_id", "channel", "created_at"],
        ))
        .await?;
        m.create_index(index("notifications", &["recipient_id", "read_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notifications").to_owned())
            .await?;
        m.drop_table(Table::drop().table("domain_events").to_owned())
            .await?;
        m.exec_stmt(
            Query::delete()
                .from_table("sync_state")
                .and_where(Expr::col("name").eq("events"))
                .to_owned(),
        )
        .await
    }
}

//! The integration API: clients and credentials, per-client rate windows, the compacted
//! change feed behind incremental sync, webhook subscriptions and deliveries.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            entity_table("integration_clients")
                .col(string("name"))
                .col(uuid("unit_id"))
                .col(uuid("region_id"))
                .col(text("scopes"))
                .col(text("ip_allowlist"))
                .col(integer("rate_limit_per_minute"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "integration_clients",
                    "unit_id",
                    "org_units",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("integration_clients", &["region_id"]))
            .await?;

        // Secrets are kept only as hashes; a rotated-out credential works until `expires_at`.
        m.create_table(
            entity_table("client_credentials")
                .col(uuid("client_id"))
                .col(string_len("key_id", 32))
                .col(string("secret_hash"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .foreign_key(&mut fk(
                    "client_credentials",
                    "client_id",
                    "integration_clients",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("client_credentials", &["key_id"]))
            .await?;
        m.create_index(index("client_credentials", &["client_id"]))
            .await?;

        // Requests per client per minute, shared by every instance.
        m.create_table(
            Table::create()
                .table("rate_windows")
                .col(string("key").primary_key())
                .col(timestamp_with_time_zone("window_start"))
                .col(integer("count"))
                .to_owned(),
        )
        .await?;

        // The change feed, compacted: one row per object holding where it sits and the sequence
        // number of its latest change. Writers set `seq` to NULL in their own transaction; the
        // sequencer numbers committed rows in order under one lock, so a reader that has seen
        // sequence N can never later find a committed change below N.
        m.create_table(
            Table::create()
                .table("sync_feed")
                .col(string_len("entity", 32))
                .col(uuid("entity_id"))
                .col(big_integer_null("seq"))
                .col(uuid_null("region_id"))
                .col(uuid_null("municipality_id"))
                .col(uuid_null("school_id"))
                .col(boolean("deleted"))
                .col(timestamp_with_time_zone("changed_at"))
                .primary_key(Index::create().col("entity").col("entity_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sync_feed", &["entity", "seq"]))
            .await?;
        m.create_index(index("sync_feed", &["seq"])).await?;
        m.create_table(
            Table::create()
                .table("sync_state")
                .col(string_len("name", 32).primary_key())
                .col(big_integer("next_seq"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("sync_state")
                .columns(["name", "next_seq"])
                .values_panic(["feed".into(), 1i64.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            entity_table("webhook_subscriptions")
                .col(uuid("client_id"))
                .col(text("url"))
                .col(text("events"))
                .col(string("secret"))
                .col(boolean("active"))
                .col(integer("consecutive_failures").default(0))
                .col(timestamp_with_time_zone_null("disabled_at"))
                .foreign_key(&mut fk(
                    "webhook_subscriptions",
                    "client_id",
                    "integration_clients",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("webhook_subscriptions", &["client_id"]))
            .await?;

        m.create_table(
            entity_table("webhook_deliveries")
                .col(uuid("subscription_id"))
                .col(uuid("event_id"))
                .col(string_len("event_type", 64))
                .col(text("payload"))
                .col(string_len("status", 16))
                .col(integer("attempts").default(0))
                .col(integer_null("last_status_code"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(&mut fk(
                    "webhook_deliveries",
                    "subscription_id",
                    "webhook_subscriptions",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "webhook_deliveries",
            &["subscription_id", "created_at"],
        ))
        .await?;
        Ok(())
    }
}

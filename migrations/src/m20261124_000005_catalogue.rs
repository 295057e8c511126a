//! The catalogue: educational events, the competencies they develop, enrolments with a waiting
//! list, recommendations to teachers, and personal calendar feeds.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The organiser's place in the hierarchy is copied onto the event (as on routes), so
        // "events visible from this unit" is a comparison of columns, never a tree walk.
        m.create_table(
            entity_table("events")
                .col(uuid("organiser_id"))
                .col(uuid("region_id"))
                .col(uuid_null("district_id"))
                .col(uuid_null("municipality_id"))
                .col(uuid_null("school_id"))
                .col(string("title"))
                .col(string("sort_key"))
                .col(text_null("description"))
                .col(string_len("kind", 32))
                .col(string_len("level", 16))
                .col(string_len("format", 16))
                .col(string_null("place"))
                .col(text_null("link"))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(text_null("schedule"))
                .col(double_null("hours"))
                .col(integer_null("capacity"))
                .col(date_null("registration_deadline"))
                // JSON arrays of strings.
                .col(text("audience_subjects"))
                .col(text("audience_levels"))
                .col(string_len("status", 16))
                .col(integer("version"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(text_null("cancel_reason"))
                .foreign_key(&mut fk(
                    "events",
                    "organiser_id",
                    "org_units",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("events", &["region_id", "status", "starts_on"]),
            index("events", &["organiser_id"]),
            index("events", &["municipality_id"]),
            index("events", &["school_id"]),
            index("events", &["starts_on"]),
            index("events", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        m.create_table(
            Table::create()
                .table("event_competencies")
                .col(uuid("event_id"))
                .col(uuid("competency_id"))
                .primary_key(Index::create().col("event_id").col("competency_id"))
                .foreign_key(&mut fk(
                    "event_competencies",
                    "event_id",
                    "events",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "event_competencies",
                    "competency_id",
                    "competencies",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("event_competencies", &["competency_id"]))
            .await?;

        // One row per person and event; cancelling keeps the row (and its history).
        m.create_table(
            entity_table("enrolments")
                .col(uuid("event_id"))
                .col(uuid("person_id"))
                .col(string_len("status", 16))
                // Order of registration: the waiting list is promoted by it.
                .col(big_integer("position"))
                .col(uuid_null("route_id"))
                .col(uuid_null("activity_id"))
                .col(string_null("certificate_name"))
                .col(string_len_null("certificate_type", 128))
                .col(big_integer_null("certificate_size"))
                .col(string_len_null("certificate_key", 64))
                .col(uuid_null("marked_by"))
                .foreign_key(&mut fk(
                    "enrolments",
                    "event_id",
                    "events",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "enrolments",
                    "person_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "enrolments",
                    "route_id",
                    "routes",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "enrolments",
                    "activity_id",
                    "route_activities",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("enrolments", &["event_id", "person_id"]))
            .await?;
        m.create_index(index("enrolments", &["person_id"])).await?;
        m.create_index(index("enrolments", &["activity_id"]))
            .await?;
        m.create_index(index("enrolments", &["updated_at"])).await?;

        m.create_table(
            entity_table("event_recommendations")
                .col(uuid("event_id"))
                .col(uuid("teacher_id"))
                .col(uuid("recommended_by"))
                .col(text_null("note"))
                .foreign_key(&mut fk(
                    "event_recommendations",
                    "event_id",
                    "events",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "event_recommendations",
                    "teacher_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "event_recommendations",
                    "recommended_by",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "event_recommendations",
            &["teacher_id", "event_id", "recommended_by"],
        ))
        .await?;

        // A person's secret calendar address: only the hash is kept; a new one revokes the old.
        m.create_table(
            entity_table("calendar_feeds")
                .col(uuid("user_id"))
                .col(string_len("token_hash", 64))
                .foreign_key(&mut fk(
                    "calendar_feeds",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("calendar_feeds", &["user_id"]))
            .await?;
        m.create_index(unique("calendar_feeds", &["token_hash"]))
            .await?;
        Ok(())
    }
}

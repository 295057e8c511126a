//! Competency frameworks and the route with its five sections, workflow and history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::conventions::{entity_table, fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A link table with a two-column primary key, both sides deleted with their owner.
fn link(
    table: &'static str,
    left: (&'static str, &'static str),
    right: (&'static str, &'static str),
) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(uuid(left.0))
        .col(uuid(right.0))
        .primary_key(Index::create().col(left.0).col(right.0))
        .foreign_key(&mut fk(table, left.0, left.1, ForeignKeyAction::Cascade))
        .foreign_key(&mut fk(table, right.0, right.1, ForeignKeyAction::Cascade))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A versioned competency framework: a region's own, or the platform's default (no
        // region). A published version never changes; routes refer to the version they used.
        m.create_table(
            entity_table("frameworks")
                .col(uuid_null("region_id"))
                .col(string_len("code", 64))
                .col(string("name"))
                .col(integer("version"))
                .col(string_len("status", 16))
                .col(uuid_null("based_on_id"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(text("deficit_rule"))
                .foreign_key(&mut fk(
                    "frameworks",
                    "region_id",
                    "org_units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("frameworks", &["region_id", "code", "version"]))
            .await?;
        m.create_index(index("frameworks", &["updated_at"])).await?;

        m.create_table(
            entity_table("competency_groups")
                .col(uuid("framework_id"))
                .col(string_len("code", 32))
                .col(string("name"))
                .col(integer("position"))
                .foreign_key(&mut fk(
                    "competency_groups",
                    "framework_id",
                    "frameworks",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("competency_groups", &["framework_id", "position"]))
            .await?;

        m.create_table(
            entity_table("competencies")
                .col(uuid("framework_id"))
                .col(uuid("group_id"))
                .col(string_len("code", 32))
                .col(string("name"))
                .col(text_null("description"))
                .col(string_null("labour_function"))
                .col(integer("position"))
                // Optional score ranges: score ≤ low_max is low, ≤ medium_max medium, else high.
                .col(double_null("low_max"))
                .col(double_null("medium_max"))
                .foreign_key(&mut fk(
                    "competencies",
                    "framework_id",
                    "frameworks",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "competencies",
                    "group_id",
                    "competency_groups",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("competencies", &["framework_id", "position"]))
            .await?;
        m.create_index(unique("competencies", &["framework_id", "code"]))
            .await?;

        m.create_table(
            entity_table("routes")
                .col(uuid("teacher_id"))
                .col(uuid("school_id"))
                .col(uuid("region_id"))
                .col(uuid_null("municipality_id"))
                .col(string("title"))
                .col(string("sort_key"))
                .col(string_null("track"))
                .col(date("period_start"))
                .col(date("period_end"))
                .col(date_null("original_end"))
                .col(text_null("extension_reason"))
                .col(string_len("status", 32))
                .col(string_len("stage", 32))
                .col(integer("version"))
                .col(integer_null("approved_version"))
                .col(integer_null("material_version"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(uuid_null("framework_id"))
                .col(text("profile_snapshot"))
                .col(timestamp_with_time_zone("profile_taken_at"))
                .col(text_null("educational_request"))
                .col(text("final_event"))
                .col(text("conclusion"))
                .col(string_len_null("outcome", 16))
                .col(uuid_null("conclusion_by"))
                .col(timestamp_with_time_zone_null("conclusion_at"))
                .col(text_null("evaluation"))
                .col(uuid_null("previous_route_id"))
                .col(text_null("frozen"))
                .col(uuid("created_by"))
                .foreign_key(&mut fk(
                    "routes",
                    "teacher_id",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "routes",
                    "school_id",
                    "org_units",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "routes",
                    "framework_id",
                    "frameworks",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        for ix in [
            index("routes", &["teacher_id"]),
            index("routes", &["school_id", "status"]),
            index("routes", &["municipality_id", "status"]),
            index("routes", &["region_id", "status"]),
            index("routes", &["updated_at"]),
        ] {
            m.create_index(ix).await?;
        }

        m.create_table(
            entity_table("route_diagnostics")
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(integer("position"))
                .col(string_len("kind", 32))
                .col(string_len("level", 32))
                .col(string("name"))
                .col(date_null("date"))
                .col(uuid_null("campaign_id"))
                .foreign_key(&mut fk(
                    "route_diagnostics",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_diagnostics", &["route_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("route_diagnostic_results")
                .col(uuid("diagnostic_id"))
                .col(uuid("competency_id"))
                .col(string_len("level", 16))
                .col(double_null("score"))
                .primary_key(Index::create().col("diagnostic_id").col("competency_id"))
                .foreign_key(&mut fk(
                    "route_diagnostic_results",
                    "diagnostic_id",
                    "route_diagnostics",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "route_diagnostic_results",
                    "competency_id",
                    "competencies",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            entity_table("route_deficits")
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(integer("position"))
                .col(string("title"))
                .col(text_null("description"))
                .col(uuid_null("competency_id"))
                .col(boolean("confirmed"))
                .col(string_len("state", 16))
                .foreign_key(&mut fk(
                    "route_deficits",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "route_deficits",
                    "competency_id",
                    "competencies",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_deficits", &["route_id"]))
            .await?;

        m.create_table(
            entity_table("route_tasks")
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(integer("position"))
                .col(text("title"))
                .col(text_null("description"))
                .foreign_key(&mut fk(
                    "route_tasks",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_tasks", &["route_id"])).await?;
        m.create_table(link(
            "route_task_deficits",
            ("task_id", "route_tasks"),
            ("deficit_id", "route_deficits"),
        ))
        .await?;

        m.create_table(
            entity_table("route_activities")
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(integer("position"))
                .col(string("name"))
                .col(string_len_null("level", 32))
                .col(date_null("start_date"))
                .col(date_null("end_date"))
                .col(string_null("participation_form"))
                .col(text_null("result"))
                .col(string_len("status", 16))
                .col(text_null("reflection"))
                .col(double_null("hours"))
                .col(uuid_null("event_id"))
                .foreign_key(&mut fk(
                    "route_activities",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_activities", &["route_id", "position"]))
            .await?;
        m.create_index(index("route_activities", &["event_id"]))
            .await?;
        m.create_table(link(
            "route_activity_deficits",
            ("activity_id", "route_activities"),
            ("deficit_id", "route_deficits"),
        ))
        .await?;
        m.create_table(link(
            "route_activity_competencies",
            ("activity_id", "route_activities"),
            ("competency_id", "competencies"),
        ))
        .await?;

        m.create_table(
            entity_table("route_progress")
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(string_len("period_kind", 16))
                .col(string_len("period", 20))
                .col(uuid_null("task_id"))
                .col(text("text"))
                .col(uuid("author_id"))
                .foreign_key(&mut fk(
                    "route_progress",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "route_progress",
                    "task_id",
                    "route_tasks",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_progress", &["route_id"]))
            .await?;

        m.create_table(
            entity_table("route_products")
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(integer("position"))
                .col(string("title"))
                .col(string_null("kind"))
                .col(text_null("description"))
                .col(text_null("link"))
                .foreign_key(&mut fk(
                    "route_products",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_products", &["route_id"]))
            .await?;

        // Evidence and product files: bytes on disk under an opaque key, metadata here.
        m.create_table(
            entity_table("route_files")
                .col(uuid("route_id"))
                .col(uuid_null("activity_id"))
                .col(uuid_null("product_id"))
                .col(string("name"))
                .col(string_len("content_type", 128))
                .col(big_integer("size"))
                .col(string_len("sha256", 64))
                .col(string_len("storage_key", 64))
                .col(uuid("uploaded_by"))
                .foreign_key(&mut fk(
                    "route_files",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "route_files",
                    "activity_id",
                    "route_activities",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "route_files",
                    "product_id",
                    "route_products",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_files", &["route_id"])).await?;

        m.create_table(
            Table::create()
                .table("route_transitions")
                .col(uuid("id").primary_key())
                .col(uuid("route_id"))
                .col(string_len("action", 32))
                .col(string_len("from_status", 32))
                .col(string_len("to_status", 32))
                .col(uuid("actor_id"))
                .col(string_null("actor_title"))
                .col(text_null("comment"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "route_transitions",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_transitions", &["route_id", "at"]))
            .await?;
        m.create_index(index("route_transitions", &["at"])).await?;

        m.create_table(
            Table::create()
                .table("route_changes")
                .col(uuid("id").primary_key())
                .col(uuid("route_id"))
                .col(integer("version"))
                .col(string_len("entity", 32))
                .col(uuid_null("entity_id"))
                .col(string("subject"))
                .col(string_len("field", 64))
                .col(text_null("old_value"))
                .col(text_null("new_value"))
                .col(boolean("material"))
                .col(uuid("actor_id"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "route_changes",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_changes", &["route_id", "version"]))
            .await?;

        m.create_table(
            entity_table("route_comments")
                .col(uuid("route_id"))
                .col(uuid("author_id"))
                .col(string_len_null("section", 32))
                .col(text("text"))
                .foreign_key(&mut fk(
                    "route_comments",
                    "route_id",
                    "routes",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("route_comments", &["route_id", "created_at"]))
            .await?;
        Ok(())
    }
}

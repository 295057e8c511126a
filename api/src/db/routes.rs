//! Routes and the rows of their sections.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entities::{
    competency, route, route_activity, route_activity_competency, route_activity_deficit,
    route_change, route_comment, route_deficit, route_diagnostic, route_diagnostic_result,
    route_file, route_product, route_progress, route_task, route_task_deficit, route_transition,
};

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<route::Model>, DbErr> {
    route::Entity::find_by_id(id).one(db).await
}

/// The route row locked for the rest of the transaction (PostgreSQL), so concurrent edits of
/// one route queue up; SQLite's write transaction already serialises them.
pub async fn find_for_update(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<route::Model>, DbErr> {
    route::Entity::find_by_id(id).lock_exclusive().one(db).await
}

pub async fn diagnostics(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_diagnostic::Model>, DbErr> {
    route_diagnostic::Entity::find()
        .filter(route_diagnostic::Column::RouteId.eq(route_id))
        .order_by_asc(route_diagnostic::Column::Position)
        .order_by_asc(route_diagnostic::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn diagnostic_results(
    db: &impl ConnectionTrait,
    diagnostic_ids: &[Uuid],
) -> Result<Vec<route_diagnostic_result::Model>, DbErr> {
    if diagnostic_ids.is_empty() {
        return Ok(Vec::new());
    }
    route_diagnostic_result::Entity::find()
        .filter(route_diagnostic_result::Column::DiagnosticId.is_in(diagnostic_ids.iter().copied()))
        .all(db)
        .await
}

pub async fn competencies(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<competency::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    competency::Entity::find()
        .filter(competency::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

pub async fn deficits(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_deficit::Model>, DbErr> {
    route_deficit::Entity::find()
        .filter(route_deficit::Column::RouteId.eq(route_id))
        .order_by_asc(route_deficit::Column::Position)
        .order_by_asc(route_deficit::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn tasks(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_task::Model>, DbErr> {
    route_task::Entity::find()
        .filter(route_task::Column::RouteId.eq(route_id))
        .order_by_asc(route_task::Column::Position)
        .order_by_asc(route_task::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn task_deficits(
    db: &impl ConnectionTrait,
    task_ids: &[Uuid],
) -> Result<Vec<route_task_deficit::Model>, DbErr> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    route_task_deficit::Entity::find()
        .filter(route_task_deficit::Column::TaskId.is_in(task_ids.iter().copied()))
        .all(db)
        .await
}

pub async fn activities(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_activity::Model>, DbErr> {
    route_activity::Entity::find()
        .filter(route_activity::Column::RouteId.eq(route_id))
        .order_by_asc(route_activity::Column::Position)
        .order_by_asc(route_activity::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn activity_deficits(
    db: &impl ConnectionTrait,
    activity_ids: &[Uuid],
) -> Result<Vec<route_activity_deficit::Model>, DbErr> {
    if activity_ids.is_empty() {
        return Ok(Vec::new());
    }
    route_activity_deficit::Entity::find()
        .filter(route_activity_deficit::Column::ActivityId.is_in(activity_ids.iter().copied()))
        .all(db)
        .await
}

pub async fn activity_competencies(
    db: &impl ConnectionTrait,
    activity_ids: &[Uuid],
) -> Result<Vec<route_activity_competency::Model>, DbErr> {
    if activity_ids.is_empty() {
        return Ok(Vec::new());
    }
    route_activity_competency::Entity::find()
        .filter(route_activity_competency::Column::ActivityId.is_in(activity_ids.iter().copied()))
        .all(db)
        .await
}

// The rows linked to a route's items, selected by the route (a subquery) rather than by a list
// of item ids: one statement of the same text whatever the route's size, which the database
// prepares once, and no wait for the items' own query.

/// The diagnostic results of every diagnostic of a route.
pub async fn diagnostic_results_of_route(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_diagnostic_result::Model>, DbErr> {
    use sea_orm::sea_query::Query;
    route_diagnostic_result::Entity::find()
        .filter(
            route_diagnostic_result::Column::DiagnosticId.in_subquery(
                Query::select()
                    .column(route_diagnostic::Column::Id)
                    .from(route_diagnostic::Entity)
                    .and_where(route_diagnostic::Column::RouteId.eq(route_id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await
}

/// The deficit links of every task of a route.
pub async fn task_deficits_of_route(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_task_deficit::Model>, DbErr> {
    use sea_orm::sea_query::Query;
    route_task_deficit::Entity::find()
        .filter(
            route_task_deficit::Column::TaskId.in_subquery(
                Query::select()
                    .column(route_task::Column::Id)
                    .from(route_task::Entity)
                    .and_where(route_task::Column::RouteId.eq(route_id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await
}

fn activities_of(route_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(route_activity::Column::Id)
        .from(route_activity::Entity)
        .and_where(route_activity::Column::RouteId.eq(route_id))
        .to_owned()
}

/// The deficit links of every activity of a route.
pub async fn activity_deficits_of_route(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_activity_deficit::Model>, DbErr> {
    route_activity_deficit::Entity::find()
        .filter(route_activity_deficit::Column::ActivityId.in_subquery(activities_of(route_id)))
        .all(db)
        .await
}

/// The competency links of every activity of a route.
pub async fn activity_competencies_of_route(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_activity_competency::Model>, DbErr> {
    route_activity_competency::Entity::find()
        .filter(route_activity_competency::Column::ActivityId.in_subquery(activities_of(route_id)))
        .all(db)
        .await
}

pub async fn progress(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_progress::Model>, DbErr> {
    route_progress::Entity::find()
        .filter(route_progress::Column::RouteId.eq(route_id))
        .order_by_asc(route_progress::Column::Period)
        .order_by_asc(route_progress::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn products(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_product::Model>, DbErr> {
    route_product::Entity::find()
        .filter(route_product::Column::RouteId.eq(route_id))
        .order_by_asc(route_product::Column::Position)
        .order_by_asc(route_product::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn files(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_file::Model>, DbErr> {
    route_file::Entity::find()
        .filter(route_file::Column::RouteId.eq(route_id))
        .order_by_asc(route_file::Column::CreatedAt)
        .all(db)
        .await
}

pub async fn transitions(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_transition::Model>, DbErr> {
    route_transition::Entity::find()
        .filter(route_transition::Column::RouteId.eq(route_id))
        .order_by_asc(route_transition::Column::At)
        .order_by_asc(route_transition::Column::Version)
        .all(db)
        .await
}

pub async fn changes(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_change::Model>, DbErr> {
    route_change::Entity::find()
        .filter(route_change::Column::RouteId.eq(route_id))
        .order_by_asc(route_change::Column::Version)
        .order_by_asc(route_change::Column::At)
        .all(db)
        .await
}

pub async fn comments(
    db: &impl ConnectionTrait,
    route_id: Uuid,
) -> Result<Vec<route_comment::Model>, DbErr> {
    route_comment::Entity::find()
        .filter(route_comment::Column::RouteId.eq(route_id))
        .order_by_asc(route_comment::Column::CreatedAt)
        .all(db)
        .await
}

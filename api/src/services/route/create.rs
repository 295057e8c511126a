//! Creating a route, prefilled with everything already known.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use shared::dto::{CreateRoute, ProfileSnapshot, RouteDto};
use shared::workflow;
use shared::{Role, RouteStatus, Stage, UnitKind};
use uuid::Uuid;
use validator::Validate;

use super::{access, read};
use crate::auth::Principal;
use crate::db::entities::{route, user};
use crate::db::{self, audit, policies, units, users};
use crate::error::{AppError, AppResult};
use crate::services::frameworks;
use crate::state::AppState;

/// The information section as the profile reads now.
pub async fn profile_snapshot(
    db: &impl ConnectionTrait,
    teacher: &user::Model,
) -> AppResult<ProfileSnapshot> {
    let workplace = match teacher.workplace_id {
        Some(id) => units::find(db, id).await?.map(|u| u.name),
        None => None,
    };
    Ok(ProfileSnapshot {
        surname: teacher.surname.clone(),
        first_name: teacher.first_name.clone(),
        patronymic: teacher.patronymic.clone(),
        email: teacher.email.clone(),
        phone: teacher.phone.clone(),
        workplace,
        position: teacher.position.clone(),
        teaching_experience_years: teacher.teaching_experience_years,
        position_experience_years: teacher.position_experience_years,
        qualification_category: teacher.qualification_category.clone(),
        qualification_date: teacher.qualification_date,
    })
}

pub fn to_json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Unexpected(e.into()))
}

/// Creates a draft route for the principal (or, for a tutor or the school's coordinator, for a
/// teacher they support).
pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: CreateRoute,
) -> AppResult<RouteDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let teacher_id = req.teacher_id.unwrap_or(principal.id());
    let teacher = if teacher_id == principal.id() {
        principal.user.clone()
    } else {
        let teacher = users::find(&txn, teacher_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (facts, _) = crate::services::people::facts(&txn, principal, &teacher).await?;
        if !principal.actor.can_read_person(&facts) {
            return Err(AppError::NotFound);
        }
        let helps = (facts.links.tutor && facts.links.tutor_consent)
            || facts
                .workplace
                .is_some_and(|w| principal.actor.covers(Role::SchoolCoordinator, &w));
        if !helps {
            return Err(AppError::forbidden(
                "Маршрут для педагога может создать его тьютор (с согласия педагога) или координатор ОО.",
            ));
        }
        teacher
    };
    let created = insert_draft(
        &txn,
        &teacher,
        NewDraft {
            title: req.title.trim().to_owned(),
            track: clean(req.track),
            period_start: req.period_start,
            period_end: req.period_end,
            created_by: principal.id(),
        },
    )
    .await?;
    let id = created.id;
    txn.commit().await?;
    let ctx = access::load(&state.db, principal, id, false).await?;
    read::assemble(&state.db, principal, &ctx).await
}

/// What a new draft route is made of, besides what the platform knows of its teacher.
pub struct NewDraft {
    pub title: String,
    pub track: Option<String>,
    pub period_start: chrono::NaiveDate,
    pub period_end: chrono::NaiveDate,
    /// Who made it: the teacher, their tutor or coordinator, or the manager drafting in bulk.
    pub created_by: Uuid,
}

/// Writes a draft route for `teacher` in the caller's transaction — the same rules however a
/// route is made (by hand, or drafted in bulk from a campaign): the teacher works at a school,
/// the period keeps the region's limit, the information section is the profile as it reads
/// now, the framework is the region's current one; the route is recorded for the sync feed and
/// the audit log.
pub async fn insert_draft(
    db: &impl ConnectionTrait,
    teacher: &user::Model,
    new: NewDraft,
) -> AppResult<route::Model> {
    let school = match teacher.workplace_id {
        Some(id) => units::find(db, id).await?,
        None => None,
    }
    .filter(|u| units::kind(u).ok() == Some(UnitKind::School))
    .ok_or_else(|| {
        AppError::invalid(
            "teacher_id",
            "У педагога не указано место работы (образовательная организация): обратитесь к координатору.",
        )
    })?;
    let path = units::path(&school)?;
    let policy = policies::for_region(db, path.region).await?;
    workflow::check_period(new.period_start, new.period_end, policy.max_route_months)
        .map_err(|m| AppError::invalid("period_end", m))?;

    let t = db::now();
    let snapshot = profile_snapshot(db, teacher).await?;
    let framework_id = frameworks::current_for_region(db, path.region).await?;
    let id = db::new_id();
    let created = route::ActiveModel {
        id: Set(id),
        teacher_id: Set(teacher.id),
        school_id: Set(school.id),
        region_id: Set(path.region),
        municipality_id: Set(path.municipality),
        sort_key: Set(shared::text::sort_key(&[&new.title])),
        title: Set(new.title),
        track: Set(new.track),
        period_start: Set(new.period_start),
        period_end: Set(new.period_end),
        original_end: Set(None),
        extension_reason: Set(None),
        status: Set(RouteStatus::Draft.as_str().into()),
        stage: Set(Stage::Preparatory.as_str().into()),
        version: Set(1),
        approved_version: Set(None),
        material_version: Set(None),
        started_at: Set(None),
        completed_at: Set(None),
        framework_id: Set(Some(framework_id)),
        profile_snapshot: Set(to_json(&snapshot)?),
        profile_taken_at: Set(t),
        educational_request: Set(None),
        final_event: Set("{}".into()),
        conclusion: Set("{}".into()),
        outcome: Set(None::<String>),
        conclusion_by: Set(None),
        conclusion_at: Set(None),
        evaluation: Set(None),
        previous_route_id: Set(None),
        frozen: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    crate::services::integration::sync::touch_route(db, &created, false).await?;
    audit::record(
        db,
        audit::Entry {
            subject_id: None,
            actor_id: Some(new.created_by),
            actor_kind: "user",
            action: "route.created",
            entity_type: "route",
            entity_id: Some(id),
            details: serde_json::json!({ "teacher_id": teacher.id }),
        },
    )
    .await?;
    Ok(created)
}

/// Trims optional text; blank becomes nothing.
pub fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

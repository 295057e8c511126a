//! Enrolment: registration within capacity (never over-booked), the waiting list, the
//! organiser's attendance sheet, certificates, and the roadmap activity marked done.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use sha2::Digest;
use shared::catalogue::{self as rules, EnrolmentStatus};
use shared::dto::catalogue::*;
use uuid::Uuid;

use super::events::{self, load, load_managed, organiser_path};
use crate::auth::Principal;
use crate::db::entities::{enrolment, event, route, route_activity};
use crate::db::{self, audit, catalogue as store, units};
use crate::error::{AppError, AppResult};
use crate::services::integration::sync;
use crate::services::people::to_ref;
use crate::services::route::{edit, files};
use crate::state::AppState;

/// A roadmap activity of the person's own routes made from this event, if any.
pub async fn activity_for(
    db: &impl ConnectionTrait,
    person: Uuid,
    event_id: Uuid,
) -> AppResult<Option<route_activity::Model>> {
    use sea_orm::sea_query::Query;
    Ok(route_activity::Entity::find()
        .filter(route_activity::Column::EventId.eq(event_id))
        .filter(
            route_activity::Column::RouteId.in_subquery(
                Query::select()
                    .column(route::Column::Id)
                    .from(route::Entity)
                    .and_where(route::Column::TeacherId.eq(person))
                    .to_owned(),
            ),
        )
        .order_by_desc(route_activity::Column::CreatedAt)
        .one(db)
        .await?)
}

/// Registers the caller: a seat while there are any, else the waiting list.
pub async fn register(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<EventDto> {
    let txn = db::begin_write(&state.db).await?;
    // The lock queues concurrent registrations for this event, so the seats counted below
    // cannot be taken by someone else before the insert commits.
    let e = load(&txn, principal, id, true).await?;
    if !events::open_for_registration(&e, db::now().date_naive()) {
        return Err(AppError::conflict(
            "registration_closed",
            "Запись на это мероприятие закрыта.",
        ));
    }
    let existing = store::enrolment_of(&txn, id, principal.id()).await?;
    if existing
        .as_ref()
        .is_some_and(|x| x.status != EnrolmentStatus::Cancelled.as_str())
    {
        return Err(AppError::conflict(
            "already_enrolled",
            "Вы уже записаны на это мероприятие.",
        ));
    }
    let taken = store::seats_taken(&txn, id).await?;
    let status = rules::place_for_new(e.capacity, taken);
    let position = store::next_position(&txn, id).await?;
    let activity = activity_for(&txn, principal.id(), id).await?;
    let t = db::now();
    let row = match existing {
        Some(x) => {
            let mut am = x.into_active_model();
            am.status = Set(status.as_str().to_owned());
            am.position = Set(position);
            am.updated_at = Set(t);
            if let Some(a) = &activity {
                am.route_id = Set(Some(a.route_id));
                am.activity_id = Set(Some(a.id));
            }
            am.update(&txn).await?
        }
        None => {
            enrolment::ActiveModel {
                id: Set(db::new_id()),
                event_id: Set(id),
                person_id: Set(principal.id()),
                status: Set(status.as_str().to_owned()),
                position: Set(position),
                route_id: Set(activity.as_ref().map(|a| a.route_id)),
                activity_id: Set(activity.as_ref().map(|a| a.id)),
                certificate_name: Set(None),
                certificate_type: Set(None),
                certificate_size: Set(None),
                certificate_key: Set(None),
                marked_by: Set(None),
                created_at: Set(t),
                updated_at: Set(t),
            }
            .insert(&txn)
            .await?
        }
    };
    sync::touch_enrolment(&txn, &row).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.register",
            "event",
            id,
            serde_json::json!({ "status": status.as_str() }),
        ),
    )
    .await?;
    txn.commit().await?;
    events::get(&state.db, principal, id).await
}

/// Cancels the caller's registration; a freed seat goes to the first on the waiting list.
pub async fn unregister(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<EventDto> {
    let txn = db::begin_write(&state.db).await?;
    let e = load(&txn, principal, id, true).await?;
    let mine = store::enrolment_of(&txn, id, principal.id())
        .await?
        .filter(|x| {
            x.status == EnrolmentStatus::Registered.as_str()
                || x.status == EnrolmentStatus::Waitlisted.as_str()
        })
        .ok_or_else(|| {
            AppError::conflict(
                "not_enrolled",
                "Вы не записаны на это мероприятие (или участие уже отмечено).",
            )
        })?;
    let mut am = mine.into_active_model();
    am.status = Set(EnrolmentStatus::Cancelled.as_str().to_owned());
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    sync::touch_enrolment(&txn, &row).await?;
    promote(&txn, &state.base_url, &e).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.unregister",
            "event",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    events::get(&state.db, principal, id).await
}

/// Gives free seats to the waiting list, first come first served, and writes to each person
/// promoted. Runs under the event's lock.
pub async fn promote(db: &impl ConnectionTrait, base_url: &str, e: &event::Model) -> AppResult<()> {
    let taken = store::seats_taken(db, e.id).await?;
    let Some(mut free) = rules::free_seats(e.capacity, taken).or(Some(u64::MAX)) else {
        return Ok(());
    };
    if free == 0 {
        return Ok(());
    }
    let waiting = enrolment::Entity::find()
        .filter(enrolment::Column::EventId.eq(e.id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted.as_str()))
        .order_by_asc(enrolment::Column::Position)
        .all(db)
        .await?;
    for w in waiting {
        if free == 0 {
            break;
        }
        let mut am = w.into_active_model();
        am.status = Set(EnrolmentStatus::Registered.as_str().to_owned());
        am.updated_at = Set(db::now());
        let row = am.update(db).await?;
        sync::touch_enrolment(db, &row).await?;
        super::notify::promoted(db, base_url, e, row.person_id).await?;
        free -= 1;
    }
    Ok(())
}

async fn to_dto(
    db: &impl ConnectionTrait,
    rows: &[enrolment::Model],
) -> AppResult<Vec<EnrolmentDto>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let people = events::people(db, &ids).await?;
    let school_ids: Vec<Uuid> = people.values().filter_map(|u| u.workplace_id).collect();
    let schools: std::collections::HashMap<Uuid, _> = units::find_many(db, &school_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut waiting = 0u64;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status: EnrolmentStatus = db::parse_code(&r.status)?;
        let waitlist_position = (status == EnrolmentStatus::Waitlisted).then(|| {
            waiting += 1;
            waiting
        });
        let person = people.get(&r.person_id);
        out.push(EnrolmentDto {
            id: r.id,
            event_id: r.event_id,
            person: person.map(to_ref).unwrap_or(shared::dto::PersonRef {
                id: r.person_id,
                full_name: "—".into(),
                email: String::new(),
            }),
            school: person
                .and_then(|p| p.workplace_id)
                .and_then(|w| schools.get(&w))
                .map(units::to_ref)
                .transpose()?,
            status,
            waitlist_position,
            registered_at: r.created_at,
            route_id: r.route_id,
            activity_id: r.activity_id,
            certificate_name: r.certificate_name.clone(),
        });
    }
    Ok(out)
}

/// The attendance sheet: everyone who registered, in order (the organiser's).
pub async fn sheet(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<Vec<EnrolmentDto>> {
    load_managed(db, principal, id, false).await?;
    let rows = store::enrolments(db, id).await?;
    to_dto(db, &rows).await
}

/// Loads an enrolment with its event for the organiser (or, when `own` allows, its person).
async fn load_enrolment(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    own: bool,
) -> AppResult<(enrolment::Model, event::Model)> {
    let row = enrolment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = store::find(db, row.event_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = organiser_path(&e);
    let manages = principal.actor.can_manage_event(&path);
    if !manages && row.person_id != principal.id() {
        // The organiser's sheet is theirs: others do not learn who enrolled.
        return Err(AppError::NotFound);
    }
    if !manages && !own {
        return Err(AppError::forbidden(
            "Участие отмечает организатор мероприятия.",
        ));
    }
    Ok((row, e))
}

/// The organiser marks whether a registered person took part.
pub async fn mark(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: AttendanceInput,
) -> AppResult<EnrolmentDto> {
    let txn = db::begin_write(&state.db).await?;
    let (row, _) = load_enrolment(&txn, principal, id, false).await?;
    let status: EnrolmentStatus = db::parse_code(&row.status)?;
    if !status.holds_seat() {
        return Err(AppError::conflict(
            "not_registered",
            format!(
                "Участие отмечают у записанных; статус записи — «{}».",
                status.title_ru()
            ),
        ));
    }
    let to = if req.attended {
        EnrolmentStatus::Attended
    } else {
        EnrolmentStatus::Absent
    };
    let mut am = row.into_active_model();
    am.status = Set(to.as_str().to_owned());
    am.marked_by = Set(Some(principal.id()));
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    sync::touch_enrolment(&txn, &row).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.attendance",
            "enrolment",
            id,
            serde_json::json!({ "status": to.as_str() }),
        ),
    )
    .await?;
    txn.commit().await?;
    complete(state, principal, &row).await?;
    Ok(to_dto(&state.db, std::slice::from_ref(&row))
        .await?
        .remove(0))
}

fn blob(state: &AppState, key: &str) -> std::path::PathBuf {
    state.settings.files_dir.join(key)
}

/// A certificate for an enrolment, uploaded by the organiser or the participant.
/// Whether the caller may attach a certificate to an enrolment (the organiser, or the
/// participant while registered): asked before the upload's body is read, so a stranger's
/// file is neither read nor stored.
pub async fn may_upload_certificate(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<()> {
    let (row, _) = load_enrolment(&state.db, principal, id, true).await?;
    takes_certificate(&row)
}

fn takes_certificate(row: &enrolment::Model) -> AppResult<()> {
    if row.status == EnrolmentStatus::Cancelled.as_str()
        || row.status == EnrolmentStatus::Waitlisted.as_str()
    {
        return Err(AppError::conflict(
            "not_registered",
            "Сертификат прикрепляют к записи участника мероприятия.",
        ));
    }
    Ok(())
}

pub async fn certificate(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<EnrolmentDto> {
    let (name, content_type) = files::check(name, content_type, bytes)?;
    // Checked again in the transaction below; here so nothing is written for a stranger.
    may_upload_certificate(state, principal, id).await?;
    let key = format!("cert{}", Uuid::new_v4().simple());
    let path = blob(state, &key);
    let dir = state.settings.files_dir.clone();
    let data = bytes.to_vec();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, &data)?;
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let txn = db::begin_write(&state.db).await?;
    let checked = load_enrolment(&txn, principal, id, true)
        .await
        .and_then(|(row, _)| takes_certificate(&row).map(|()| row));
    let row = match checked {
        Ok(row) => row,
        Err(e) => {
            files::remove_blob(state, &key);
            return Err(e);
        }
    };
    let old = row.certificate_key.clone();
    let mut am = row.into_active_model();
    am.certificate_name = Set(Some(name.clone()));
    am.certificate_type = Set(Some(content_type));
    am.certificate_size = Set(Some(i64::try_from(bytes.len()).unwrap_or(i64::MAX)));
    am.certificate_key = Set(Some(key));
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    sync::touch_enrolment(&txn, &row).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.certificate",
            "enrolment",
            id,
            serde_json::json!({ "name": name, "sha256": format!("{:x}", sha2::Sha256::digest(bytes)) }),
        ),
    )
    .await?;
    txn.commit().await?;
    if let Some(old) = old {
        files::remove_blob(state, &old);
    }
    complete(state, principal, &row).await?;
    Ok(to_dto(&state.db, std::slice::from_ref(&row))
        .await?
        .remove(0))
}

/// Attendance and a certificate make the linked roadmap activity done, with the certificate as
/// its evidence — through the route service, so the route's version, history and workflow hold.
/// A route that is frozen (agreement under way, completed) is left as it is.
async fn complete(
    state: &AppState,
    principal: &Principal,
    row: &enrolment::Model,
) -> AppResult<()> {
    let (Some(route_id), Some(activity_id), Some(key)) = (
        row.route_id,
        row.activity_id,
        row.certificate_key.as_deref(),
    ) else {
        return Ok(());
    };
    if row.status != EnrolmentStatus::Attended.as_str() {
        return Ok(());
    }
    let path = blob(state, key);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let name = row
        .certificate_name
        .clone()
        .unwrap_or_else(|| "Сертификат".into());
    let content_type = row
        .certificate_type
        .clone()
        .unwrap_or_else(|| "application/pdf".into());
    let evidence = edit::Evidence {
        name: &name,
        content_type: &content_type,
        bytes: &bytes,
    };
    match edit::complete_from_event(state, principal, route_id, activity_id, Some(evidence)).await {
        Ok(()) => Ok(()),
        Err(AppError::Unexpected(e)) => Err(AppError::Unexpected(e)),
        Err(e) => {
            tracing::info!(route = %route_id, activity = %activity_id, error = %e, "the activity was not marked done");
            Ok(())
        }
    }
}

/// The caller's own enrolments that are not cancelled.
pub async fn mine(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<Vec<EnrolmentDto>> {
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(principal.id()))
        .filter(enrolment::Column::Status.ne(EnrolmentStatus::Cancelled.as_str()))
        .order_by_desc(enrolment::Column::CreatedAt)
        .all(db)
        .await?;
    to_dto(db, &rows).await
}

//! Tutors, methodist-mentors and experts assigned to teachers, and the teacher's consent.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use shared::Role;
use shared::dto::{AssignmentDto, AssignmentInput, AssignmentKind, ConsentInput};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::assignment;
use crate::db::{self, assignments, audit, grants, units, users};
use crate::error::{AppError, AppResult};
use crate::services::people::{facts, manages, to_ref};
use crate::state::AppState;

/// The role the staff member must hold for each kind of link.
fn role_for(kind: AssignmentKind) -> Role {
    match kind {
        AssignmentKind::Tutor => Role::Tutor,
        AssignmentKind::Mentor => Role::Methodist,
        AssignmentKind::Expert => Role::Expert,
    }
}

/// The teacher's workplace, once the principal may link staff of `kind` to them: they see the
/// teacher (else 404), manage them under the one rule (an assignment opens the teacher's data
/// to someone, so only those who could grant every role the teacher holds decide it), and may
/// assign at that workplace; a methodist-mentor is chosen by the regional manager.
async fn teacher_workplace(
    db: &impl ConnectionTrait,
    principal: &Principal,
    teacher: Uuid,
    kind: AssignmentKind,
) -> AppResult<shared::UnitPath> {
    let person = users::find(db, teacher).await?.ok_or(AppError::NotFound)?;
    let (f, _) = facts(db, principal, &person).await?;
    if !principal.actor.can_read_person(&f) {
        return Err(AppError::NotFound);
    }
    let Some(workplace) = f.workplace else {
        return Err(AppError::invalid(
            "teacher_id",
            "У педагога не указано место работы.",
        ));
    };
    if !principal.actor.can_assign_to(&workplace) {
        return Err(AppError::forbidden(
            "Назначать тьюторов, наставников и экспертов могут координаторы и руководители.",
        ));
    }
    if kind == AssignmentKind::Mentor && !principal.actor.can_assign_mentor_to(&workplace) {
        return Err(AppError::forbidden(
            "Методиста-наставника педагогу выбирает менеджер ЦНППМ региона.",
        ));
    }
    if !manages(db, principal, &f).await? {
        return Err(AppError::forbidden(
            "Вы не можете назначать сопровождение этому человеку: у него есть роли, которые вы не можете назначать.",
        ));
    }
    Ok(workplace)
}

pub async fn assign(
    state: &AppState,
    principal: &Principal,
    req: AssignmentInput,
) -> AppResult<AssignmentDto> {
    let txn = db::begin_write(&state.db).await?;
    let workplace = teacher_workplace(&txn, principal, req.teacher_id, req.kind).await?;
    let staff = users::find(&txn, req.staff_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid("staff_id", "Сотрудник не найден."))?;
    // The staff member holds the matching role somewhere in the teacher's region.
    let needed = role_for(req.kind);
    let mut holds = false;
    for g in grants::for_user(&txn, staff.id).await? {
        if g.role != needed.as_str() {
            continue;
        }
        if let Some(u) = g.unit_id
            && let Some(unit) = units::find(&txn, u).await?
            && unit.region_id == workplace.region
        {
            holds = true;
        }
    }
    if !holds {
        return Err(AppError::invalid(
            "staff_id",
            format!(
                "У сотрудника нет роли «{}» в регионе педагога.",
                needed.title_ru()
            ),
        ));
    }
    if req.staff_id == req.teacher_id {
        return Err(AppError::invalid(
            "staff_id",
            "Нельзя назначить человека самому себе.",
        ));
    }
    let exists = assignments::for_teacher(&txn, req.teacher_id)
        .await?
        .into_iter()
        .any(|a| a.staff_id == req.staff_id && a.kind == req.kind.as_str());
    if exists {
        return Err(AppError::conflict(
            "assignment_exists",
            "Такое назначение уже есть.",
        ));
    }
    let row = assignments::insert(
        &txn,
        req.kind,
        req.staff_id,
        req.teacher_id,
        false,
        Some(principal.id()),
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "assignment.created",
            entity_type: "assignment",
            entity_id: Some(row.id),
            details: serde_json::json!({ "kind": req.kind, "staff": req.staff_id, "teacher": req.teacher_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(AssignmentDto {
        id: row.id,
        kind: req.kind,
        person: to_ref(&staff),
        consent_at: None,
    })
}

pub async fn unassign(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
    let row = assignment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    teacher_workplace(&txn, principal, row.teacher_id, db::parse_code(&row.kind)?).await?;
    assignment::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "assignment.removed",
            entity_type: "assignment",
            entity_id: Some(id),
            details: serde_json::json!({ "kind": row.kind, "staff": row.staff_id, "teacher": row.teacher_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The teacher gives or withdraws consent to their tutor seeing their routes; it takes effect
/// at once (the policy reads it on every request).
pub async fn set_consent(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: ConsentInput,
) -> AppResult<AssignmentDto> {
    let txn = db::begin_write(&state.db).await?;
    let row = assignment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|a| a.teacher_id == principal.id())
        .ok_or(AppError::NotFound)?;
    if row.kind != AssignmentKind::Tutor.as_str() {
        return Err(AppError::conflict(
            "not_a_tutor",
            "Согласие даётся только тьютору.",
        ));
    }
    let staff = users::find(&txn, row.staff_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut am = row.into_active_model();
    am.consent_at = Set(req.given.then(db::now));
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: if req.given {
                "consent.given"
            } else {
                "consent.withdrawn"
            },
            entity_type: "assignment",
            entity_id: Some(row.id),
            details: serde_json::json!({ "tutor": row.staff_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(AssignmentDto {
        id: row.id,
        kind: AssignmentKind::Tutor,
        person: to_ref(&staff),
        consent_at: row.consent_at,
    })
}

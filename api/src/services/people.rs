//! People: who I am, and a person's profile as others in scope see it.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use shared::access::{Grant, PersonFacts};
use shared::dto::{AssignmentDto, AssignmentKind, MeResponse, PersonDto, PersonRef, RoleGrantDto};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{assignment, org_unit, user};
use crate::db::{self, assignments, grants, units, users};
use crate::error::{AppError, AppResult};

pub fn to_dto(u: &user::Model, workplace: Option<&org_unit::Model>) -> AppResult<PersonDto> {
    Ok(PersonDto {
        id: u.id,
        surname: u.surname.clone(),
        first_name: u.first_name.clone(),
        patronymic: u.patronymic.clone(),
        email: u.email.clone(),
        phone: u.phone.clone(),
        position: u.position.clone(),
        teaching_experience_years: u.teaching_experience_years,
        position_experience_years: u.position_experience_years,
        qualification_category: u.qualification_category.clone(),
        qualification_date: u.qualification_date,
        workplace: workplace.map(units::to_ref).transpose()?,
        active: u.active,
    })
}

pub fn to_ref(u: &user::Model) -> PersonRef {
    PersonRef {
        id: u.id,
        full_name: shared::text::full_name(&u.surname, &u.first_name, u.patronymic.as_deref()),
        email: u.email.clone(),
    }
}

pub async fn me(db: &impl ConnectionTrait, principal: &Principal) -> AppResult<MeResponse> {
    let workplace = match principal.user.workplace_id {
        Some(id) => units::find(db, id).await?,
        None => None,
    };
    let roles = principal
        .grants
        .iter()
        .map(|(g, unit)| {
            let role: shared::Role = db::parse_code(&g.role)?;
            Ok(RoleGrantDto {
                id: g.id,
                role,
                role_title: role.title_ru().to_owned(),
                unit: unit.as_ref().map(units::to_ref).transpose()?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let as_teacher = assignments::for_teacher(db, principal.id()).await?;
    let as_staff = assignments::for_staff(db, principal.id()).await?;
    let other_ids: Vec<Uuid> = as_teacher
        .iter()
        .map(|a| a.staff_id)
        .chain(as_staff.iter().map(|a| a.teacher_id))
        .collect();
    let others: HashMap<Uuid, user::Model> = users::find_many(db, &other_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let view = |rows: &[assignment::Model], other: fn(&assignment::Model) -> Uuid| {
        rows.iter()
            .filter_map(|a| {
                let person = others.get(&other(a))?;
                Some(Ok(AssignmentDto {
                    id: a.id,
                    kind: match db::parse_code::<AssignmentKind>(&a.kind) {
                        Ok(k) => k,
                        Err(e) => return Some(Err(AppError::from(e))),
                    },
                    person: to_ref(person),
                    consent_at: a.consent_at,
                }))
            })
            .collect::<AppResult<Vec<_>>>()
    };
    Ok(MeResponse {
        person: to_dto(&principal.user, workplace.as_ref())?,
        roles,
        my_staff: view(&as_teacher, |a| a.staff_id)?,
        my_teachers: view(&as_staff, |a| a.teacher_id)?,
        pending_email: crate::services::accounts::pending_email(db, principal.id()).await?,
    })
}

/// The facts the policy needs about a person, relative to the principal.
pub async fn facts(
    db: &impl ConnectionTrait,
    principal: &Principal,
    person: &user::Model,
) -> AppResult<(PersonFacts, Option<org_unit::Model>)> {
    let workplace = match person.workplace_id {
        Some(id) => units::find(db, id).await?,
        None => None,
    };
    let facts = PersonFacts {
        id: person.id,
        workplace: workplace.as_ref().map(units::path).transpose()?,
        links: assignments::links(db, principal.id(), person.id).await?,
    };
    Ok((facts, workplace))
}

/// The roles a person holds, each at its unit, as the policy judges managing them
/// ([`shared::access::Actor::can_manage_person`]). Grants on archived units count too: they
/// come back with the unit. A grant whose unit is gone has no unit, which only the
/// administrator may manage.
pub async fn held_roles(db: &impl ConnectionTrait, person: Uuid) -> AppResult<Vec<Grant>> {
    let rows = grants::for_user(db, person).await?;
    let unit_ids: Vec<Uuid> = rows.iter().filter_map(|g| g.unit_id).collect();
    let unit_rows: HashMap<Uuid, org_unit::Model> = units::find_many(db, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    rows.iter()
        .map(|g| {
            Ok(Grant {
                role: db::parse_code(&g.role)?,
                unit: g
                    .unit_id
                    .and_then(|u| unit_rows.get(&u))
                    .map(units::path)
                    .transpose()?,
            })
        })
        .collect()
}

/// Whether `principal` manages `person` (the one rule: see
/// [`shared::access::Actor::can_manage_person`]).
pub async fn manages(
    db: &impl ConnectionTrait,
    principal: &Principal,
    facts: &PersonFacts,
) -> AppResult<bool> {
    if facts.id == principal.id() {
        return Ok(false);
    }
    let holds = held_roles(db, facts.id).await?;
    Ok(principal.actor.can_manage_person(facts, &holds))
}

/// Records that `principal` read `facts.id`'s data (nothing for one's own).
pub fn audit_read(
    state: &crate::state::AppState,
    principal: &Principal,
    facts: &PersonFacts,
    action: &'static str,
    entity_type: &'static str,
    entity_id: Uuid,
) {
    if facts.id == principal.id() {
        return;
    }
    state.reads.record(crate::db::audit::Read {
        actor_id: principal.id(),
        actor_kind: "user",
        basis: principal
            .actor
            .read_basis(facts)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        action,
        entity_type,
        entity_id,
        subject_id: facts.id,
    });
}

pub async fn get(
    state: &crate::state::AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<PersonDto> {
    let db = &state.db;
    let person = users::find(db, id).await?.ok_or(AppError::NotFound)?;
    let (facts, workplace) = self::facts(db, principal, &person).await?;
    if !principal.actor.can_read_person(&facts) {
        return Err(AppError::NotFound);
    }
    audit_read(state, principal, &facts, "person.read", "user", person.id);
    to_dto(&person, workplace.as_ref())
}

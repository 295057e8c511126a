//! People: who I am, and a person's profile as others in scope see it.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use shared::access::PersonFacts;
use shared::dto::{AssignmentDto, AssignmentKind, MeResponse, PersonDto, PersonRef, RoleGrantDto};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{assignment, org_unit, user};
use crate::db::{self, assignments, units, users};
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

pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<PersonDto> {
    let person = users::find(db, id).await?.ok_or(AppError::NotFound)?;
    let (facts, workplace) = self::facts(db, principal, &person).await?;
    if !principal.actor.can_read_person(&facts) {
        return Err(AppError::NotFound);
    }
    to_dto(&person, workplace.as_ref())
}

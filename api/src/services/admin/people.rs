//! People: lists in scope, the person's card, creating and editing, deactivating, inviting,
//! granting and revoking roles.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::access::PersonFacts;
use shared::dto::*;
use shared::{Role, UnitKind, UnitPath};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::entities::{assignment, org_unit, role_grant, user};
use crate::db::{self, assignments, audit, grants, units, users};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::services::accounts;
use crate::services::integration::sync::touch_person;
use crate::services::people::{facts, manages, to_dto, to_ref};
use crate::services::route::create::clean;
use crate::state::AppState;

fn entry<'a>(
    principal: &Principal,
    action: &'a str,
    id: Uuid,
    details: serde_json::Value,
) -> audit::Entry<'a> {
    audit::Entry::by_user(principal.id(), action, "user", id, details)
}

/// Units (ids) at or below `path`'s leaf, as a subquery.
pub(crate) fn subtree(path: &UnitPath) -> sea_orm::sea_query::SelectStatement {
    let leaf = path.leaf();
    let col = match path.kind() {
        UnitKind::Region => org_unit::Column::RegionId,
        UnitKind::District => org_unit::Column::DistrictId,
        UnitKind::Municipality => org_unit::Column::MunicipalityId,
        UnitKind::School => org_unit::Column::Id,
    };
    Query::select()
        .column(org_unit::Column::Id)
        .from(org_unit::Entity)
        .cond_where(
            Condition::any()
                .add(col.eq(leaf))
                .add(org_unit::Column::Id.eq(leaf)),
        )
        .to_owned()
}

/// The SQL form of "people this principal may see" (the policy stays the judge of each).
pub(crate) fn scope(principal: &Principal) -> Option<Condition> {
    if principal.actor.is_admin() {
        return None;
    }
    let me = principal.id();
    // Linked teachers, as the policy's `Links::reads`: a tutor's tutee only with consent.
    let mut any = Condition::any().add(user::Column::Id.eq(me)).add(
        user::Column::Id.in_subquery(
            Query::select()
                .column(assignment::Column::TeacherId)
                .from(assignment::Entity)
                .and_where(assignment::Column::StaffId.eq(me))
                .cond_where(
                    Condition::any()
                        .add(assignment::Column::Kind.ne(AssignmentKind::Tutor.as_str()))
                        .add(assignment::Column::ConsentAt.is_not_null()),
                )
                .to_owned(),
        ),
    );
    for g in &principal.actor.grants {
        if let (true, Some(unit)) = (g.role.manages_unit(), g.unit) {
            any = any.add(user::Column::WorkplaceId.in_subquery(subtree(&unit)));
        }
    }
    Some(any)
}

pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    f: PersonFilter,
) -> AppResult<Page<PersonSummary>> {
    let (offset, limit) = crate::services::page_bounds(f.offset, f.limit, 50, 200)?;
    let mut q = user::Entity::find();
    if let Some(scope) = scope(principal) {
        q = q.filter(scope);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!(
            "%{}%",
            shared::text::sort_key(&[text]).replace(['%', '_'], "")
        );
        q = q.filter(
            Condition::any()
                .add(user::Column::SortKey.like(pattern.clone()))
                .add(user::Column::Email.like(pattern)),
        );
    }
    if let Some(unit) = f.unit_id {
        let u = units::find(db, unit).await?.ok_or(AppError::NotFound)?;
        q = q.filter(user::Column::WorkplaceId.in_subquery(subtree(&units::path(&u)?)));
    }
    if let Some(role) = f.role {
        q = q.filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(role_grant::Column::UserId)
                    .from(role_grant::Entity)
                    .and_where(role_grant::Column::Role.eq(role.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(active) = f.active {
        q = q.filter(user::Column::Active.eq(active));
    }
    let q = q
        .order_by_asc(user::Column::SortKey)
        .order_by_asc(user::Column::Id);
    let total = q.clone().count(db).await?;
    let rows = q.offset(offset).limit(limit).all(db).await?;

    let ids: Vec<Uuid> = rows.iter().map(|u| u.id).collect();
    let unit_ids: Vec<Uuid> = rows.iter().filter_map(|u| u.workplace_id).collect();
    let unit_map: HashMap<Uuid, org_unit::Model> = units::find_many(db, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let all_grants = if ids.is_empty() {
        Vec::new()
    } else {
        role_grant::Entity::find()
            .filter(role_grant::Column::UserId.is_in(ids.iter().copied()))
            .all(db)
            .await?
    };
    let mut items = Vec::with_capacity(rows.len());
    for u in rows {
        let roles: Vec<Role> = all_grants
            .iter()
            .filter(|g| g.user_id == u.id)
            .filter_map(|g| g.role.parse().ok())
            .collect();
        items.push(PersonSummary {
            id: u.id,
            full_name: shared::text::full_name(&u.surname, &u.first_name, u.patronymic.as_deref()),
            email: u.email.clone(),
            workplace: u
                .workplace_id
                .and_then(|w| unit_map.get(&w))
                .map(units::to_ref)
                .transpose()?,
            position: u.position.clone(),
            roles,
            active: u.active,
            invitation: accounts::invitation_status(db, &u).await?.state,
        });
    }
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Loads a person the principal may see, with the policy's facts.
async fn load_visible(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<(user::Model, PersonFacts, Option<org_unit::Model>)> {
    let person = users::find(db, id).await?.ok_or(AppError::NotFound)?;
    let (f, workplace) = facts(db, principal, &person).await?;
    if !principal.actor.can_read_person(&f) {
        return Err(AppError::NotFound);
    }
    Ok((person, f, workplace))
}

fn not_yours_to_manage(principal: &Principal, person: &user::Model) -> AppError {
    if person.id == principal.id() {
        AppError::forbidden(
            "Свои роли, приглашение и доступ менять нельзя: это делают те, кто управляет вашей учётной записью.",
        )
    } else {
        AppError::forbidden(
            "У вас нет права управлять учётной записью этого человека: у него есть роли, которые вы не можете назначать.",
        )
    }
}

/// Loads a person the principal manages (edits, deactivates, invites, grants roles to): 404
/// when invisible, 403 when visible but not theirs to manage (themselves, or someone holding a
/// role the principal could not grant).
async fn load_managed(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<user::Model> {
    let (person, f, _) = load_visible(db, principal, id).await?;
    if !manages(db, principal, &f).await? {
        return Err(not_yours_to_manage(principal, &person));
    }
    Ok(person)
}

async fn assignment_views(
    db: &impl ConnectionTrait,
    rows: &[assignment::Model],
    other: fn(&assignment::Model) -> Uuid,
) -> AppResult<Vec<AssignmentDto>> {
    let ids: Vec<Uuid> = rows.iter().map(other).collect();
    let people: HashMap<Uuid, user::Model> = users::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    rows.iter()
        .filter_map(|a| people.get(&other(a)).map(|p| (a, p)))
        .map(|(a, p)| {
            Ok(AssignmentDto {
                id: a.id,
                kind: db::parse_code(&a.kind)?,
                person: to_ref(p),
                consent_at: a.consent_at,
            })
        })
        .collect()
}

pub async fn detail(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<PersonDetail> {
    let (person, f, workplace) = load_visible(db, principal, id).await?;
    let grant_rows = grants::for_user(db, id).await?;
    let unit_ids: Vec<Uuid> = grant_rows.iter().filter_map(|g| g.unit_id).collect();
    let unit_map: HashMap<Uuid, org_unit::Model> = units::find_many(db, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let roles = grant_rows
        .iter()
        .map(|g| {
            let role: Role = db::parse_code(&g.role)?;
            Ok(RoleGrantDto {
                id: g.id,
                role,
                role_title: role.title_ru().to_owned(),
                unit: g
                    .unit_id
                    .and_then(|u| unit_map.get(&u))
                    .map(units::to_ref)
                    .transpose()?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let staff =
        assignment_views(db, &assignments::for_teacher(db, id).await?, |a| a.staff_id).await?;
    let teachers =
        assignment_views(db, &assignments::for_staff(db, id).await?, |a| a.teacher_id).await?;
    Ok(PersonDetail {
        person: to_dto(&person, workplace.as_ref())?,
        external_id: person.external_id.clone(),
        roles,
        staff,
        teachers,
        invitation: accounts::invitation_status(db, &person).await?,
        last_login_at: person.last_login_at,
        can_manage: manages(db, principal, &f).await?,
        pending_email: accounts::pending_email(db, person.id).await?,
    })
}

/// The card, read by someone: the read goes to the audit log when it is someone else's.
pub async fn card(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<PersonDetail> {
    let (_, f, _) = load_visible(&state.db, principal, id).await?;
    crate::services::people::audit_read(state, principal, &f, "person.card_read", "user", id);
    detail(&state.db, principal, id).await
}

/// Checks that the principal may put someone to work at `workplace`.
async fn check_workplace(
    db: &impl ConnectionTrait,
    principal: &Principal,
    workplace: Option<Uuid>,
) -> AppResult<Option<org_unit::Model>> {
    let Some(id) = workplace else {
        if principal.actor.is_admin() {
            return Ok(None);
        }
        return Err(AppError::invalid("workplace_id", "Укажите место работы."));
    };
    let unit = units::find(db, id)
        .await?
        .filter(|u| u.archived_at.is_none())
        .ok_or_else(|| AppError::invalid("workplace_id", "Место работы не найдено."))?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::invalid(
            "workplace_id",
            "Место работы не найдено.",
        ));
    }
    if !principal.actor.can_assign_to(&path) {
        return Err(AppError::forbidden(
            "Вы не можете добавлять сотрудников в это подразделение.",
        ));
    }
    Ok(Some(unit))
}

/// Checks a grant the principal wants to make and returns the unit it applies to.
async fn check_grant(
    db: &impl ConnectionTrait,
    principal: &Principal,
    g: &GrantInput,
) -> AppResult<Option<org_unit::Model>> {
    let unit = match g.unit_id {
        Some(id) => Some(
            units::find(db, id)
                .await?
                .filter(|u| u.archived_at.is_none())
                .ok_or_else(|| AppError::invalid("roles", "Подразделение для роли не найдено."))?,
        ),
        None => None,
    };
    let path = unit.as_ref().map(units::path).transpose()?;
    match (&path, g.role) {
        (None, Role::Admin) => {}
        (None, _) => {
            return Err(AppError::invalid(
                "roles",
                "Укажите подразделение, в котором действует роль.",
            ));
        }
        (Some(_), Role::Admin) => {
            return Err(AppError::invalid(
                "roles",
                "Роль администратора не привязывается к подразделению.",
            ));
        }
        (Some(p), role) => {
            if !role.scope_kinds().contains(&p.kind()) {
                return Err(AppError::invalid(
                    "roles",
                    format!(
                        "Роль «{}» не назначается на уровне «{}».",
                        role.title_ru(),
                        p.kind().title_ru()
                    ),
                ));
            }
            if !principal.actor.can_read_unit(p) {
                return Err(AppError::invalid(
                    "roles",
                    "Подразделение для роли не найдено.",
                ));
            }
        }
    }
    if !principal.actor.can_grant(g.role, path.as_ref()) {
        return Err(AppError::forbidden(format!(
            "Вы не можете назначать роль «{}» здесь.",
            g.role.title_ru()
        )));
    }
    Ok(unit)
}

fn apply_profile(am: &mut user::ActiveModel, p: &ProfileInput) {
    let patronymic = clean(p.patronymic.clone());
    am.sort_key = Set(shared::text::sort_key(&[
        &p.surname,
        &p.first_name,
        patronymic.as_deref().unwrap_or(""),
    ]));
    am.surname = Set(p.surname.trim().to_owned());
    am.first_name = Set(p.first_name.trim().to_owned());
    am.patronymic = Set(patronymic);
    am.phone = Set(clean(p.phone.clone()));
    am.position = Set(clean(p.position.clone()));
    am.teaching_experience_years = Set(p.teaching_experience_years);
    am.position_experience_years = Set(p.position_experience_years);
    am.qualification_category = Set(clean(p.qualification_category.clone()));
    am.qualification_date = Set(p.qualification_date);
}

fn email_taken() -> AppError {
    AppError::conflict(
        "email_taken",
        "Пользователь с таким адресом электронной почты уже есть.",
    )
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: CreatePerson,
) -> AppResult<PersonDetail> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let workplace = check_workplace(&txn, principal, req.workplace_id).await?;
    let mut checked = Vec::new();
    for g in &req.roles {
        checked.push((g.role, check_grant(&txn, principal, g).await?));
    }
    if users::find_by_email(&txn, &req.email).await?.is_some() {
        return Err(email_taken());
    }
    let created = users::insert(
        &txn,
        users::NewUser {
            email: &req.email,
            surname: &req.profile.surname,
            first_name: &req.profile.first_name,
            patronymic: req.profile.patronymic.as_deref(),
            password_hash: None,
            workplace_id: workplace.as_ref().map(|w| w.id),
            position: None,
            phone: None,
        },
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            email_taken()
        } else {
            e.into()
        }
    })?;
    let mut am = created.into_active_model();
    apply_profile(&mut am, &req.profile);
    am.external_id = Set(clean(req.external_id));
    let person = am.update(&txn).await?;
    for (role, unit) in checked {
        grants::insert(
            &txn,
            person.id,
            role,
            unit.map(|u| u.id),
            Some(principal.id()),
        )
        .await?;
    }
    audit::record(
        &txn,
        entry(
            principal,
            "person.created",
            person.id,
            serde_json::json!({ "email": person.email }),
        ),
    )
    .await?;
    if req.invite {
        accounts::invite(&txn, &state.base_url, &person, Some(principal.id())).await?;
    }
    touch_person(&txn, person.id).await?;
    txn.commit().await?;
    detail(&state.db, principal, person.id).await
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: UpdatePerson,
) -> AppResult<PersonDetail> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let (person, f, _) = load_visible(&txn, principal, id).await?;
    let is_self = person.id == principal.id();
    let manages = manages(&txn, principal, &f).await?;
    if !is_self && !manages {
        return Err(not_yours_to_manage(principal, &person));
    }
    let mut am = person.clone().into_active_model();
    apply_profile(&mut am, &req.profile);
    // A new address takes effect only once it is confirmed from its own mailbox.
    if let Some(email) = req.email.as_deref().map(shared::text::normalize_email)
        && email != person.email
    {
        let pending = accounts::pending_email(&txn, person.id).await?;
        if pending.is_none_or(|p| p.email != email) {
            if users::find_by_email(&txn, &email).await?.is_some() {
                return Err(email_taken());
            }
            accounts::request_email_change(&txn, &state.base_url, &person, &email, principal.id())
                .await?;
        }
    }
    if manages {
        if req.workplace_id != person.workplace_id && req.workplace_id.is_some() {
            let w = check_workplace(&txn, principal, req.workplace_id).await?;
            am.workplace_id = Set(w.map(|w| w.id));
        }
        am.external_id = Set(clean(req.external_id));
    }
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        entry(principal, "person.updated", id, serde_json::json!({})),
    )
    .await?;
    touch_person(&txn, id).await?;
    txn.commit().await?;
    detail(&state.db, principal, id).await
}

/// Deactivates a person (they can no longer sign in; their routes stay) or activates them again.
pub async fn set_active(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    active: bool,
) -> AppResult<PersonDetail> {
    let txn = db::begin_write(&state.db).await?;
    let person = load_managed(&txn, principal, id).await?;
    let mut am = person.into_active_model();
    am.active = Set(active);
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    if !active {
        crate::db::tokens::revoke_user(&txn, id).await?;
        crate::db::one_time::revoke_open(&txn, id, None).await?;
        users::bump_stamp(&txn, id).await?;
    }
    let action = if active {
        "person.activated"
    } else {
        "person.deactivated"
    };
    audit::record(&txn, entry(principal, action, id, serde_json::json!({}))).await?;
    touch_person(&txn, id).await?;
    txn.commit().await?;
    detail(&state.db, principal, id).await
}

/// Sends (or re-sends) the invitation to set a password.
pub async fn invite(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<InvitationStatus> {
    let txn = db::begin_write(&state.db).await?;
    let person = load_managed(&txn, principal, id).await?;
    if !person.active {
        return Err(AppError::conflict(
            "person_inactive",
            "Учётная запись отключена: сначала включите её.",
        ));
    }
    // An invitation sets a first password. Someone who has one signs in with it, or asks for a
    // reset link themselves at the sign-in page (it goes to their own address).
    if person.password_hash.is_some() {
        return Err(AppError::conflict(
            "already_has_password",
            "У этого человека уже есть пароль, приглашение не нужно. Если он его забыл, пусть восстановит пароль по ссылке «Забыли пароль?» на странице входа.",
        ));
    }
    accounts::invite(&txn, &state.base_url, &person, Some(principal.id())).await?;
    txn.commit().await?;
    accounts::invitation_status(&state.db, &person).await
}

/// Revokes an open invitation.
pub async fn revoke_invitation(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<InvitationStatus> {
    let txn = db::begin_write(&state.db).await?;
    let person = load_managed(&txn, principal, id).await?;
    crate::db::one_time::revoke_open(&txn, id, Some(TokenPurpose::Invitation)).await?;
    audit::record(
        &txn,
        entry(
            principal,
            "person.invitation_revoked",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    accounts::invitation_status(&state.db, &person).await
}

pub async fn grant(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: GrantInput,
) -> AppResult<PersonDetail> {
    let txn = db::begin_write(&state.db).await?;
    load_managed(&txn, principal, id).await?;
    let unit = check_grant(&txn, principal, &req).await?;
    let existing = grants::for_user(&txn, id).await?;
    let unit_id = unit.as_ref().map(|u| u.id);
    if existing
        .iter()
        .any(|g| g.role == req.role.as_str() && g.unit_id == unit_id)
    {
        return Err(AppError::conflict("role_exists", "Эта роль уже назначена."));
    }
    let g = grants::insert(&txn, id, req.role, unit_id, Some(principal.id())).await?;
    users::bump_stamp(&txn, id).await?;
    audit::record(
        &txn,
        entry(
            principal,
            "role.granted",
            id,
            serde_json::json!({ "grant": g.id, "role": req.role, "unit": unit_id }),
        ),
    )
    .await?;
    touch_person(&txn, id).await?;
    txn.commit().await?;
    detail(&state.db, principal, id).await
}

pub async fn revoke(
    state: &AppState,
    principal: &Principal,
    grant_id: Uuid,
) -> AppResult<PersonDetail> {
    let txn = db::begin_write(&state.db).await?;
    let g = role_grant::Entity::find_by_id(grant_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    load_managed(&txn, principal, g.user_id).await?;
    let role: Role = db::parse_code(&g.role)?;
    let path = match g.unit_id {
        Some(u) => units::find(&txn, u)
            .await?
            .map(|u| units::path(&u))
            .transpose()?,
        None => None,
    };
    if !principal.actor.can_grant(role, path.as_ref()) {
        return Err(AppError::forbidden(format!(
            "Вы не можете снимать роль «{}» здесь.",
            role.title_ru()
        )));
    }
    role_grant::Entity::delete_by_id(grant_id)
        .exec(&txn)
        .await?;
    let ended = end_assignments_of_revoked_role(&txn, principal, g.user_id, role).await?;
    users::bump_stamp(&txn, g.user_id).await?;
    audit::record(
        &txn,
        entry(
            principal,
            "role.revoked",
            g.user_id,
            serde_json::json!({ "grant": grant_id, "role": role, "unit": g.unit_id, "assignments_ended": ended }),
        ),
    )
    .await?;
    touch_person(&txn, g.user_id).await?;
    txn.commit().await?;
    detail(&state.db, principal, g.user_id).await
}

/// Revoking a role ends what it gave: the tutor's, mentor's or expert's assignments that no
/// remaining grant of the same role covers (a tutor still at another school keeps that school's
/// tutees). Returns the assignments removed.
async fn end_assignments_of_revoked_role(
    db: &impl ConnectionTrait,
    principal: &Principal,
    staff: Uuid,
    role: Role,
) -> AppResult<Vec<Uuid>> {
    let kind = match role {
        Role::Tutor => AssignmentKind::Tutor,
        Role::Methodist => AssignmentKind::Mentor,
        Role::Expert => AssignmentKind::Expert,
        _ => return Ok(Vec::new()),
    };
    let remaining: Vec<UnitPath> = crate::services::people::held_roles(db, staff)
        .await?
        .into_iter()
        .filter(|g| g.role == role)
        .filter_map(|g| g.unit)
        .collect();
    let rows: Vec<assignment::Model> = assignments::for_staff(db, staff)
        .await?
        .into_iter()
        .filter(|a| a.kind == kind.as_str())
        .collect();
    let teachers: HashMap<Uuid, user::Model> =
        users::find_many(db, &rows.iter().map(|a| a.teacher_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    let workplace_ids: Vec<Uuid> = teachers.values().filter_map(|t| t.workplace_id).collect();
    let workplaces: HashMap<Uuid, UnitPath> = units::find_many(db, &workplace_ids)
        .await?
        .iter()
        .map(|u| Ok((u.id, units::path(u)?)))
        .collect::<AppResult<_>>()?;
    let mut ended = Vec::new();
    for a in rows {
        let workplace = teachers
            .get(&a.teacher_id)
            .and_then(|t| t.workplace_id)
            .and_then(|w| workplaces.get(&w));
        if shared::access::assignment_still_covered(&remaining, workplace) {
            continue;
        }
        assignment::Entity::delete_by_id(a.id).exec(db).await?;
        audit::record(
            db,
            audit::Entry::by_user(
                principal.id(),
                "assignment.removed",
                "assignment",
                a.id,
                serde_json::json!({ "kind": a.kind, "staff": a.staff_id, "teacher": a.teacher_id, "reason": "role_revoked" }),
            )
            .about(a.teacher_id),
        )
        .await?;
        ended.push(a.id);
    }
    Ok(ended)
}

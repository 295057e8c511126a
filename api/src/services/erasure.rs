//! Erasure of a person's data (152-ФЗ, art. 21): the person, or whoever manages them, asks;
//! the regional manager carries it out or refuses with a reason.
//!
//! Carrying it out, in one transaction: the person's own records are deleted (routes without a
//! certificate, results, enrolments, consents, notices, tokens, roles, links to staff); what
//! the region must keep by law — an issued certificate and the route skeleton behind it — stays
//! with the name removed, so the certificate still verifies by its number; every place the
//! person acted on someone else's record (a comment, an approval, an upload) now names "a
//! deleted user" (one placeholder row); the audit log keeps its entries without the person;
//! integrations get tombstones; stored files are deleted after the commit. The request is kept
//! with what was erased and no link to the person.

use std::collections::{BTreeMap, HashSet};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::dto::{ErasureDecision, ErasureInput, ErasureRequestDto, ErasureStatus};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::audit::{self, Entry};
use crate::db::entities::*;
use crate::db::{self, units, users};
use crate::error::{AppError, AppResult};
use crate::services::integration::sync::{self, Feed};
use crate::services::people;
use crate::state::AppState;

/// The one row every erased person's actions on others' records point to.
pub const PLACEHOLDER: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_00e4_a5ed);

async fn ensure_placeholder(db: &impl ConnectionTrait) -> AppResult<()> {
    if user::Entity::find_by_id(PLACEHOLDER)
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let t = db::now();
    user::ActiveModel {
        id: Set(PLACEHOLDER),
        email: Set("deleted-user@iom.invalid".to_owned()),
        password_hash: Set(None),
        surname: Set("Пользователь удалён".to_owned()),
        first_name: Set(String::new()),
        patronymic: Set(None),
        sort_key: Set("яяя".to_owned()),
        phone: Set(None),
        position: Set(None),
        teaching_experience_years: Set(None),
        position_experience_years: Set(None),
        qualification_category: Set(None),
        qualification_date: Set(None),
        workplace_id: Set(None),
        external_id: Set(None),
        active: Set(false),
        security_stamp: Set(Uuid::new_v4().simple().to_string()),
        last_login_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn to_dto(
    db: &impl ConnectionTrait,
    rows: Vec<erasure_request::Model>,
) -> AppResult<Vec<ErasureRequestDto>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.subject_id).collect();
    let names = users::full_names(db, &ids).await?;
    rows.into_iter()
        .map(|r| {
            Ok(ErasureRequestDto {
                id: r.id,
                status: db::parse_code(&r.status)?,
                subject_id: r.subject_id,
                subject_name: r.subject_id.and_then(|s| names.get(&s).cloned()),
                by_subject: r.by_subject,
                reason: r.reason,
                created_at: r.created_at,
                decided_at: r.decided_at,
                decision_note: r.decision_note,
                outcome: r.outcome.and_then(|o| serde_json::from_str(&o).ok()),
            })
        })
        .collect()
}

async fn open_request(
    db: &impl ConnectionTrait,
    principal: &Principal,
    person: &user::Model,
    by_subject: bool,
    input: ErasureInput,
) -> AppResult<ErasureRequestDto> {
    input.validate()?;
    if person.id == PLACEHOLDER {
        return Err(AppError::NotFound);
    }
    let region = crate::services::consents::regions_of(db, person)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            AppError::conflict(
                "no_region",
                "Запрос на удаление рассматривает регион, а этот человек не работает ни в одном.",
            )
        })?;
    let open = erasure_request::Entity::find()
        .filter(erasure_request::Column::SubjectId.eq(person.id))
        .filter(erasure_request::Column::Status.eq(ErasureStatus::Pending.as_str()))
        .one(db)
        .await?;
    if open.is_some() {
        return Err(AppError::conflict(
            "erasure_pending",
            "Запрос на удаление данных уже отправлен и ждёт решения.",
        ));
    }
    let t = db::now();
    let row = erasure_request::ActiveModel {
        id: Set(db::new_id()),
        subject_id: Set(Some(person.id)),
        region_id: Set(region),
        requested_by: Set(Some(principal.id())),
        by_subject: Set(by_subject),
        reason: Set(input
            .reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())),
        status: Set(ErasureStatus::Pending.as_str().to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
        outcome: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        Entry::by_user(
            principal.id(),
            "erasure.requested",
            "erasure_request",
            row.id,
            serde_json::json!({}),
        )
        .about(person.id),
    )
    .await?;
    Ok(to_dto(db, vec![row]).await?.remove(0))
}

/// The person asks to erase their own data.
pub async fn request_own(
    state: &AppState,
    principal: &Principal,
    input: ErasureInput,
) -> AppResult<ErasureRequestDto> {
    let txn = db::begin_write(&state.db).await?;
    let dto = open_request(&txn, principal, &principal.user, true, input).await?;
    txn.commit().await?;
    Ok(dto)
}

/// Whoever manages a person asks for them (a teacher who asked on paper, say).
pub async fn request_for(
    state: &AppState,
    principal: &Principal,
    person_id: Uuid,
    input: ErasureInput,
) -> AppResult<ErasureRequestDto> {
    let txn = db::begin_write(&state.db).await?;
    let person = users::find(&txn, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (facts, _) = people::facts(&txn, principal, &person).await?;
    if !principal.actor.can_read_person(&facts) {
        return Err(AppError::NotFound);
    }
    if !people::manages(&txn, principal, &facts).await? {
        return Err(AppError::forbidden(
            "Запросить удаление данных сотрудника может тот, кто управляет его учётной записью.",
        ));
    }
    let dto = open_request(&txn, principal, &person, false, input).await?;
    txn.commit().await?;
    Ok(dto)
}

/// The person's own requests, newest first.
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<Vec<ErasureRequestDto>> {
    let rows = erasure_request::Entity::find()
        .filter(erasure_request::Column::SubjectId.eq(principal.id()))
        .order_by_desc(erasure_request::Column::CreatedAt)
        .all(&state.db)
        .await?;
    to_dto(&state.db, rows).await
}

/// Whether the principal decides the region's requests: its regional manager, the
/// administrator.
async fn decides(
    db: &impl ConnectionTrait,
    principal: &Principal,
    region: Uuid,
) -> AppResult<bool> {
    if principal.actor.is_admin() {
        return Ok(true);
    }
    let Some(unit) = units::find(db, region).await? else {
        return Ok(false);
    };
    Ok(principal
        .actor
        .covers(shared::Role::RegionalManager, &units::path(&unit)?))
}

/// The requests of the regions the principal decides, pending first, newest first.
pub async fn list(state: &AppState, principal: &Principal) -> AppResult<Vec<ErasureRequestDto>> {
    let regions: HashSet<Uuid> = principal.actor.regions().collect();
    let mut q = erasure_request::Entity::find();
    if !principal.actor.is_admin() {
        let mut mine = Vec::new();
        for r in regions {
            if decides(&state.db, principal, r).await? {
                mine.push(r);
            }
        }
        if mine.is_empty() {
            return Err(AppError::forbidden(
                "Запросы на удаление данных рассматривает менеджер ЦНППМ региона.",
            ));
        }
        q = q.filter(erasure_request::Column::RegionId.is_in(mine));
    }
    let mut rows = q
        .order_by_desc(erasure_request::Column::CreatedAt)
        .all(&state.db)
        .await?;
    rows.sort_by_key(|r| r.status != ErasureStatus::Pending.as_str());
    to_dto(&state.db, rows).await
}

/// A pending request the principal decides (others': 404; decided: 409).
async fn pending_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<erasure_request::Model> {
    let row = erasure_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !decides(db, principal, row.region_id).await? {
        return Err(AppError::NotFound);
    }
    if row.status != ErasureStatus::Pending.as_str() {
        return Err(AppError::conflict(
            "erasure_decided",
            "По этому запросу решение уже принято.",
        ));
    }
    Ok(row)
}

/// Refuses a request, with the reason the person reads.
pub async fn reject(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    decision: ErasureDecision,
) -> AppResult<ErasureRequestDto> {
    decision.validate()?;
    let note = decision
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "note",
                "Напишите, почему запрос отклонён: человек это прочтёт.",
            )
        })?;
    let txn = db::begin_write(&state.db).await?;
    let row = pending_for(&txn, principal, id).await?;
    let subject = row.subject_id;
    let mut am: erasure_request::ActiveModel = row.into();
    am.status = Set(ErasureStatus::Rejected.as_str().to_owned());
    am.decided_by = Set(Some(principal.id()));
    am.decided_at = Set(Some(db::now()));
    am.decision_note = Set(Some(note));
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    let mut entry = Entry::by_user(
        principal.id(),
        "erasure.rejected",
        "erasure_request",
        row.id,
        serde_json::json!({}),
    );
    if let Some(s) = subject {
        entry = entry.about(s);
    }
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(to_dto(&state.db, vec![row]).await?.remove(0))
}

/// Carries a request out.
pub async fn execute(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    decision: ErasureDecision,
) -> AppResult<ErasureRequestDto> {
    decision.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let row = pending_for(&txn, principal, id).await?;
    let person = match row.subject_id {
        Some(s) => users::find(&txn, s).await?,
        None => None,
    }
    .ok_or(AppError::NotFound)?;
    if person.id == principal.id() {
        return Err(AppError::forbidden(
            "Свой запрос на удаление рассматривает другой менеджер или администратор.",
        ));
    }
    let (facts, _) = people::facts(&txn, principal, &person).await?;
    if !principal.actor.is_admin() && !people::manages(&txn, principal, &facts).await? {
        return Err(AppError::forbidden(
            "Данные этого человека может удалить только администратор платформы.",
        ));
    }
    let (outcome, files) = erase(&txn, &person).await?;
    let mut am: erasure_request::ActiveModel = row.into();
    am.status = Set(ErasureStatus::Executed.as_str().to_owned());
    am.subject_id = Set(None);
    am.requested_by = Set(None);
    am.reason = Set(None);
    am.decided_by = Set(Some(principal.id()));
    am.decided_at = Set(Some(db::now()));
    am.decision_note = Set(decision
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty()));
    am.outcome = Set(Some(
        serde_json::to_string(&outcome).map_err(anyhow::Error::from)?,
    ));
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        Entry::by_user(
            principal.id(),
            "erasure.executed",
            "erasure_request",
            row.id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    state.principals.clear();
    for key in files {
        let _ = std::fs::remove_file(state.settings.files_dir.join(key));
    }
    Ok(to_dto(&state.db, vec![row]).await?.remove(0))
}

/// Takes the person out of routes the region keeps (a certified route when its teacher's data
/// is erased; any ended route when its retention period runs out): the discussion, history,
/// progress notes and files go, the route points to the placeholder without the profile and
/// the request, and its certificate keeps its number and period without the name, so it still
/// verifies. The caller deletes the stored files (they were listed before) after its commit.
pub(crate) async fn anonymise_routes(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    ensure_placeholder(db).await?;
    let kept = ids.to_vec();
    for (what, n) in [
        (
            "bank_products",
            crate::services::bank::remove_of_routes(db, &kept).await?,
        ),
        (
            "route_comments",
            route_comment::Entity::delete_many()
                .filter(route_comment::Column::RouteId.is_in(kept.clone()))
                .exec(db)
                .await?
                .rows_affected,
        ),
        (
            "route_changes",
            route_change::Entity::delete_many()
                .filter(route_change::Column::RouteId.is_in(kept.clone()))
                .exec(db)
                .await?
                .rows_affected,
        ),
        (
            "route_progress",
            route_progress::Entity::delete_many()
                .filter(route_progress::Column::RouteId.is_in(kept.clone()))
                .exec(db)
                .await?
                .rows_affected,
        ),
        (
            "route_files",
            route_file::Entity::delete_many()
                .filter(route_file::Column::RouteId.is_in(kept.clone()))
                .exec(db)
                .await?
                .rows_affected,
        ),
        (
            "routes_anonymised",
            route::Entity::update_many()
                .col_expr(route::Column::TeacherId, Expr::value(PLACEHOLDER))
                .col_expr(route::Column::ProfileSnapshot, Expr::value("{}"))
                .col_expr(
                    route::Column::EducationalRequest,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(route::Column::Frozen, Expr::value(Option::<String>::None))
                .filter(route::Column::Id.is_in(kept.clone()))
                .exec(db)
                .await?
                .rows_affected,
        ),
        (
            "certificates_anonymised",
            certificate::Entity::update_many()
                .col_expr(certificate::Column::TeacherId, Expr::value(PLACEHOLDER))
                .col_expr(
                    certificate::Column::PersonName,
                    Expr::value(ANONYMOUS_HOLDER),
                )
                .col_expr(certificate::Column::Content, Expr::value("{}"))
                .filter(certificate::Column::RouteId.is_in(kept))
                .exec(db)
                .await?
                .rows_affected,
        ),
    ] {
        if n > 0 {
            out.insert(what.to_owned(), n);
        }
    }
    Ok(out)
}

/// What a certificate shows in place of its holder's name once their data is gone.
pub const ANONYMOUS_HOLDER: &str = "Сведения о владельце удалены";

/// Erases or anonymises everything about `person` in the caller's transaction: returns the
/// counts per kind of record and the stored files to delete once it commits.
pub async fn erase(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> AppResult<(BTreeMap<String, u64>, Vec<String>)> {
    ensure_placeholder(db).await?;
    let p = person.id;
    let ph = PLACEHOLDER;
    let id_text = p.to_string();
    let mut out = BTreeMap::new();
    let mut files = Vec::new();
    let mut count = |k: &str, n: u64| {
        if n > 0 {
            *out.entry(k.to_owned()).or_insert(0) += n;
        }
    };

    // Routes: those with a certificate keep their skeleton, without the person.
    let routes = route::Entity::find()
        .filter(route::Column::TeacherId.eq(p))
        .all(db)
        .await?;
    let route_ids: Vec<Uuid> = routes.iter().map(|r| r.id).collect();
    let certified: HashSet<Uuid> = certificate::Entity::find()
        .filter(certificate::Column::TeacherId.eq(p))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.route_id)
        .collect();
    if !route_ids.is_empty() {
        files.extend(
            route_file::Entity::find()
                .filter(route_file::Column::RouteId.is_in(route_ids.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|f| f.storage_key),
        );
        for r in &routes {
            sync::touch_route(db, r, true).await?;
        }
        count(
            "bank_products",
            crate::services::bank::remove_of_routes(db, &route_ids).await?,
        );
        let kept: Vec<Uuid> = certified.iter().copied().collect();
        for (what, n) in anonymise_routes(db, &kept).await? {
            count(&what, n);
        }
        let gone: Vec<Uuid> = route_ids
            .iter()
            .copied()
            .filter(|r| !certified.contains(r))
            .collect();
        if !gone.is_empty() {
            let n = route::Entity::delete_many()
                .filter(route::Column::Id.is_in(gone))
                .exec(db)
                .await?
                .rows_affected;
            count("routes", n);
        }
    }

    // Results, with the managers' counts recomputed for the campaigns they were in.
    let campaigns: HashSet<Uuid> = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::PersonId.eq(p))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.campaign_id)
        .collect();
    let n = diagnostic_result::Entity::delete_many()
        .filter(diagnostic_result::Column::PersonId.eq(p))
        .exec(db)
        .await?
        .rows_affected;
    count("diagnostic_results", n);
    for c in campaigns {
        crate::services::diagnostics::rollup::rebuild(db, c).await?;
    }

    files.extend(
        enrolment::Entity::find()
            .filter(enrolment::Column::PersonId.eq(p))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|e| e.certificate_key),
    );
    files.extend(
        consent_record::Entity::find()
            .filter(consent_record::Column::UserId.eq(p))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|r| r.scan_key),
    );

    files.extend(
        personal_export::Entity::find()
            .filter(personal_export::Column::UserId.eq(p))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|e| e.storage_key),
    );

    // The person's own records.
    macro_rules! delete {
        ($what:literal, $entity:ident, $cond:expr) => {
            count(
                $what,
                $entity::Entity::delete_many()
                    .filter($cond)
                    .exec(db)
                    .await?
                    .rows_affected,
            );
        };
    }
    delete!("enrolments", enrolment, enrolment::Column::PersonId.eq(p));
    delete!(
        "exports",
        personal_export,
        personal_export::Column::UserId.eq(p)
    );
    delete!(
        "recommendations",
        event_recommendation,
        event_recommendation::Column::TeacherId.eq(p)
    );
    delete!(
        "recommendations",
        product_recommendation,
        product_recommendation::Column::TeacherId.eq(p)
    );
    delete!(
        "consents",
        consent_record,
        consent_record::Column::UserId.eq(p)
    );
    delete!(
        "notifications",
        notification,
        notification::Column::RecipientId.eq(p)
    );
    delete!(
        "notification_settings",
        notification_setting,
        notification_setting::Column::UserId.eq(p)
    );
    delete!(
        "tokens",
        one_time_token,
        one_time_token::Column::UserId.eq(p)
    );
    delete!(
        "sessions",
        refresh_token,
        refresh_token::Column::UserId.eq(p)
    );
    delete!(
        "calendar_feeds",
        calendar_feed,
        calendar_feed::Column::UserId.eq(p)
    );
    delete!("roles", role_grant, role_grant::Column::UserId.eq(p));
    delete!(
        "sign_in_counters",
        login_throttle,
        login_throttle::Column::Key.eq(format!("email:{}", person.email))
    );
    delete!(
        "assignments",
        assignment,
        assignment::Column::TeacherId
            .eq(p)
            .or(assignment::Column::StaffId.eq(p))
    );
    delete!(
        "letters",
        mail_message,
        mail_message::Column::UserId
            .eq(p)
            .or(mail_message::Column::ToAddress.eq(person.email.clone()))
    );
    delete!("events", domain_event, domain_event::Column::PersonId.eq(p));
    // Payloads and imported rows that quote the person.
    delete!(
        "webhook_deliveries",
        webhook_delivery,
        webhook_delivery::Column::Payload
            .contains(id_text.as_str())
            .or(webhook_delivery::Column::Payload.contains(person.email.as_str()))
    );
    delete!(
        "jobs",
        job,
        job::Column::Payload
            .contains(id_text.as_str())
            .or(job::Column::Payload.contains(person.email.as_str()))
    );
    delete!(
        "people_imports",
        people_import,
        people_import::Column::Rows
            .contains(person.email.as_str())
            .or(people_import::Column::Rows.contains(id_text.as_str()))
            .or(people_import::Column::Result.contains(id_text.as_str()))
    );
    delete!(
        "diagnostic_imports",
        diagnostic_import,
        diagnostic_import::Column::Rows
            .contains(person.email.as_str())
            .or(diagnostic_import::Column::Rows.contains(id_text.as_str()))
            .or(diagnostic_import::Column::Result.contains(id_text.as_str()))
    );
    let n = route_draft_job::Entity::update_many()
        .col_expr(
            route_draft_job::Column::Teachers,
            sea_orm::sea_query::Func::cust("REPLACE")
                .arg(Expr::col(route_draft_job::Column::Teachers))
                .arg(id_text.clone())
                .arg(ph.to_string())
                .into(),
        )
        .filter(route_draft_job::Column::Teachers.contains(id_text.as_str()))
        .exec(db)
        .await?
        .rows_affected;
    count("drafting_jobs", n);

    // Where the person acted on others' records: "a deleted user".
    macro_rules! reassign {
        ($entity:ident, $($col:ident),+) => {
            $(
                $entity::Entity::update_many()
                    .col_expr($entity::Column::$col, Expr::value(ph))
                    .filter($entity::Column::$col.eq(p))
                    .exec(db)
                    .await?;
            )+
        };
    }
    reassign!(assignment, CreatedBy);
    reassign!(certificate, RevokedBy);
    reassign!(consent_record, RegisteredBy);
    reassign!(diagnostic_campaign, CreatedBy);
    reassign!(diagnostic_import, CreatedBy);
    reassign!(diagnostic_result, EnteredBy);
    reassign!(enrolment, MarkedBy);
    reassign!(event, CreatedBy);
    reassign!(event_recommendation, RecommendedBy);
    reassign!(product_recommendation, RecommendedBy);
    reassign!(bank_product, PublishedBy, WithdrawnBy);
    reassign!(integration_client, CreatedBy);
    reassign!(one_time_token, CreatedBy);
    reassign!(people_import, CreatedBy);
    reassign!(role_grant, GrantedBy);
    reassign!(route, ConclusionBy, CreatedBy);
    reassign!(route_change, ActorId);
    reassign!(route_comment, AuthorId);
    reassign!(route_draft_job, RequestedBy);
    reassign!(route_file, UploadedBy);
    reassign!(route_progress, AuthorId);
    reassign!(route_transition, ActorId);
    reassign!(erasure_request, RequestedBy, DecidedBy);
    domain_event::Entity::update_many()
        .col_expr(
            domain_event::Column::ActorId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(domain_event::Column::ActorId.eq(p))
        .exec(db)
        .await?;

    // The audit log keeps what happened, not who it happened to or who did it.
    let n = audit_log::Entity::update_many()
        .col_expr(
            audit_log::Column::SubjectId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(audit_log::Column::Details, Expr::value("{}"))
        .filter(audit_log::Column::SubjectId.eq(p))
        .exec(db)
        .await?
        .rows_affected;
    count("audit_entries_anonymised", n);
    audit_log::Entity::update_many()
        .col_expr(
            audit_log::Column::ActorId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(audit_log::Column::Details, Expr::value("{}"))
        .filter(audit_log::Column::ActorId.eq(p))
        .exec(db)
        .await?;
    audit_log::Entity::update_many()
        .col_expr(
            audit_log::Column::EntityId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(audit_log::Column::EntityId.eq(p))
        .exec(db)
        .await?;

    // Integrations are told: every item about the person becomes a tombstone.
    sync_feed::Entity::update_many()
        .col_expr(sync_feed::Column::Deleted, Expr::value(true))
        .col_expr(
            sync_feed::Column::PersonId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(sync_feed::Column::Seq, Expr::value(Option::<i64>::None))
        .col_expr(sync_feed::Column::ChangedAt, Expr::value(db::now()))
        .filter(sync_feed::Column::PersonId.eq(p))
        .exec(db)
        .await?;
    let workplace = match person.workplace_id {
        Some(w) => units::find(db, w)
            .await?
            .map(|u| units::path(&u))
            .transpose()?,
        None => None,
    };
    sync::touch(db, Feed::People, p, workplace.as_ref(), true).await?;

    // Other people's records never pointed here by a foreign key that would now fail: the
    // person's row goes last.
    user::Entity::delete_by_id(p).exec(db).await?;
    count("people", 1);
    Ok((out, files))
}

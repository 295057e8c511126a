//! Consent to the processing of personal data: the region's purposes and their versioned texts,
//! a person's own decisions, paper consents registered for them, and what a "no" stops.
//!
//! A decision is appended, never changed; the latest one per person and purpose is in force.
//! Withdrawing the consent to transfer takes the person out of the integration feeds at once:
//! their items are marked changed in the same transaction, and the feeds, which leave out
//! people who said no ([`withheld`]), serve them as tombstones.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::consent::{self, ConsentMethod, Decision, PurposeKind};
use shared::dto::{
    ConsentAnswer, ConsentPurposeDto, ConsentPurposeInput, ConsentRecordDto, ConsentStanding,
    ConsentsDto, PaperConsent,
};
use shared::text::full_name;
use shared::{UnitKind, UnitPath};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::audit::{self, Entry};
use crate::db::entities::{
    consent_purpose, consent_record, consent_text, org_unit, route, sync_feed, user,
};
use crate::db::{self, units, users};
use crate::error::{AppError, AppResult};
use crate::services::integration::sync;
use crate::services::people;
use crate::state::AppState;

// ---- The region's purposes ----

fn purpose_dto(p: &consent_purpose::Model) -> AppResult<ConsentPurposeDto> {
    Ok(ConsentPurposeDto {
        id: p.id,
        region_id: p.region_id,
        kind: db::parse_code(&p.kind)?,
        title: p.title.clone(),
        text: p.body.clone(),
        version: p.version,
        required: p.required,
        active: p.active,
        updated_at: p.updated_at,
    })
}

/// Inserts a purpose at version 1 with its first text.
async fn insert_purpose(
    db: &impl ConnectionTrait,
    region: Uuid,
    kind: PurposeKind,
    title: &str,
    body: &str,
    required: bool,
    active: bool,
) -> AppResult<consent_purpose::Model> {
    let t = db::now();
    let row = consent_purpose::ActiveModel {
        id: Set(db::new_id()),
        region_id: Set(region),
        kind: Set(kind.as_str().to_owned()),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        version: Set(1),
        required: Set(required),
        active: Set(active),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    insert_text(db, &row).await?;
    Ok(row)
}

async fn insert_text(db: &impl ConnectionTrait, p: &consent_purpose::Model) -> AppResult<()> {
    let t = db::now();
    consent_text::ActiveModel {
        id: Set(db::new_id()),
        purpose_id: Set(p.id),
        version: Set(p.version),
        title: Set(p.title.clone()),
        body: Set(p.body.clone()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Gives a region the default purposes if it has none (a new region, or one from a database
/// older than consents).
pub async fn ensure_defaults(db: &impl ConnectionTrait, region: Uuid) -> AppResult<()> {
    let any = consent_purpose::Entity::find()
        .filter(consent_purpose::Column::RegionId.eq(region))
        .one(db)
        .await?
        .is_some();
    if any {
        return Ok(());
    }
    for (kind, title, body, required) in consent::default_purposes() {
        insert_purpose(db, region, kind, title, body, required, true).await?;
    }
    Ok(())
}

/// At start-up: every region has its purposes.
pub async fn ensure_every_region(db: &sea_orm::DatabaseConnection) -> AppResult<()> {
    let regions = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq(UnitKind::Region.as_str()))
        .all(db)
        .await?;
    let with: HashSet<Uuid> = consent_purpose::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.region_id)
        .collect();
    for r in regions.iter().filter(|r| !with.contains(&r.id)) {
        let txn = db::begin_write(db).await?;
        ensure_defaults(&txn, r.id).await?;
        txn.commit().await?;
    }
    Ok(())
}

fn may_edit_purposes(principal: &Principal, region: &UnitPath) -> AppResult<()> {
    if principal.actor.can_manage_unit(region) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Цели обработки персональных данных задаёт менеджер ЦНППМ региона.",
        ))
    }
}

/// The region's purposes, active first.
pub async fn purposes(
    state: &AppState,
    principal: &Principal,
    region_id: Uuid,
) -> AppResult<Vec<ConsentPurposeDto>> {
    crate::services::units::readable_region(&state.db, principal, region_id).await?;
    let mut rows = consent_purpose::Entity::find()
        .filter(consent_purpose::Column::RegionId.eq(region_id))
        .order_by_asc(consent_purpose::Column::CreatedAt)
        .all(&state.db)
        .await?;
    rows.sort_by_key(|p| !p.active);
    rows.iter().map(purpose_dto).collect()
}

pub async fn create_purpose(
    state: &AppState,
    principal: &Principal,
    region_id: Uuid,
    input: ConsentPurposeInput,
) -> AppResult<ConsentPurposeDto> {
    input.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let (_, path) = crate::services::units::readable_region(&txn, principal, region_id).await?;
    may_edit_purposes(principal, &path)?;
    let row = insert_purpose(
        &txn,
        region_id,
        input.kind,
        input.title.trim(),
        &input.text,
        input.required,
        input.active,
    )
    .await?;
    audit::record(
        &txn,
        Entry::by_user(
            principal.id(),
            "consent_purpose.created",
            "consent_purpose",
            row.id,
            serde_json::json!({ "title": row.title, "kind": row.kind }),
        ),
    )
    .await?;
    txn.commit().await?;
    purpose_dto(&row)
}

/// Changes a purpose. A new title or text is a new version: everyone who agreed to an older
/// one is asked again, and the old text stays on record for the decisions made on it.
pub async fn update_purpose(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    input: ConsentPurposeInput,
) -> AppResult<ConsentPurposeDto> {
    input.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let row = consent_purpose::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, path) = crate::services::units::readable_region(&txn, principal, row.region_id).await?;
    may_edit_purposes(principal, &path)?;
    let title = input.title.trim().to_owned();
    let new_text = title != row.title || input.text != row.body;
    let version = if new_text {
        row.version + 1
    } else {
        row.version
    };
    let mut am: consent_purpose::ActiveModel = row.into();
    am.kind = Set(input.kind.as_str().to_owned());
    am.title = Set(title);
    am.body = Set(input.text.clone());
    am.version = Set(version);
    am.required = Set(input.required);
    am.active = Set(input.active);
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    if new_text {
        insert_text(&txn, &row).await?;
    }
    audit::record(
        &txn,
        Entry::by_user(
            principal.id(),
            "consent_purpose.changed",
            "consent_purpose",
            row.id,
            serde_json::json!({ "version": row.version, "active": row.active }),
        ),
    )
    .await?;
    txn.commit().await?;
    purpose_dto(&row)
}

// ---- A person's decisions ----

/// The regions a person works in (their roles' units and their workplace): whose purposes
/// they are asked about.
pub(crate) async fn regions_of(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> AppResult<Vec<Uuid>> {
    let mut regions: Vec<Uuid> = people::held_roles(db, person.id)
        .await?
        .iter()
        .filter_map(|g| g.unit.map(|u| u.region))
        .collect();
    if let Some(w) = person.workplace_id
        && let Some(unit) = units::find(db, w).await?
    {
        regions.push(units::path(&unit)?.region);
    }
    regions.sort_unstable();
    regions.dedup();
    Ok(regions)
}

fn decision(r: &consent_record::Model) -> Decision {
    Decision {
        given: r.given,
        version: r.version,
        at: r.created_at,
    }
}

/// Where `person` stands on every active purpose of their regions, and their whole record.
async fn standing(db: &impl ConnectionTrait, person: &user::Model) -> AppResult<ConsentsDto> {
    let regions = regions_of(db, person).await?;
    let purposes = if regions.is_empty() {
        Vec::new()
    } else {
        consent_purpose::Entity::find()
            .filter(consent_purpose::Column::RegionId.is_in(regions))
            .order_by_asc(consent_purpose::Column::CreatedAt)
            .all(db)
            .await?
    };
    let records = consent_record::Entity::find()
        .filter(consent_record::Column::UserId.eq(person.id))
        .order_by_desc(consent_record::Column::CreatedAt)
        .all(db)
        .await?;
    let mut items = Vec::new();
    for p in purposes.iter().filter(|p| p.active) {
        let mine: Vec<Decision> = records
            .iter()
            .filter(|r| r.purpose_id == p.id)
            .map(decision)
            .collect();
        let latest = consent::latest(&mine).copied();
        let method = match latest {
            Some(l) => records
                .iter()
                .find(|r| r.purpose_id == p.id && r.created_at == l.at)
                .map(|r| db::parse_code::<ConsentMethod>(&r.method))
                .transpose()?,
            None => None,
        };
        items.push(ConsentStanding {
            purpose: purpose_dto(p)?,
            given: latest.map(|d| d.given),
            version: latest.map(|d| d.version),
            decided_at: latest.map(|d| d.at),
            method,
            needs_answer: consent::needs_answer(latest.as_ref(), p.version),
        });
    }
    let pending = items.iter().filter(|i| i.needs_answer).count();
    let history = history(db, &records).await?;
    Ok(ConsentsDto {
        items,
        pending,
        history,
    })
}

/// The records as a person reads them, each with the text it was made on.
async fn history(
    db: &impl ConnectionTrait,
    records: &[consent_record::Model],
) -> AppResult<Vec<ConsentRecordDto>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let purpose_ids: Vec<Uuid> = records.iter().map(|r| r.purpose_id).collect();
    let texts: HashMap<(Uuid, i32), consent_text::Model> = consent_text::Entity::find()
        .filter(consent_text::Column::PurposeId.is_in(purpose_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| ((t.purpose_id, t.version), t))
        .collect();
    let mut registrars: Vec<Uuid> = records.iter().filter_map(|r| r.registered_by).collect();
    registrars.sort_unstable();
    registrars.dedup();
    let names: HashMap<Uuid, String> = users::find_many(db, &registrars)
        .await?
        .into_iter()
        .map(|u| {
            let name = full_name(&u.surname, &u.first_name, u.patronymic.as_deref());
            (u.id, name)
        })
        .collect();
    records
        .iter()
        .map(|r| {
            let text = texts.get(&(r.purpose_id, r.version));
            Ok(ConsentRecordDto {
                id: r.id,
                purpose_id: r.purpose_id,
                purpose_title: text.map(|t| t.title.clone()).unwrap_or_default(),
                version: r.version,
                text: text.map(|t| t.body.clone()).unwrap_or_default(),
                given: r.given,
                method: db::parse_code(&r.method)?,
                registered_by: r.registered_by.map(|id| {
                    names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| "Пользователь (удалён)".to_owned())
                }),
                signed_on: r.signed_on,
                has_scan: r.scan_key.is_some(),
                recorded_at: r.created_at,
            })
        })
        .collect()
}

/// A person's consents as the platform holds them (for their export).
pub async fn of(db: &impl ConnectionTrait, person: &user::Model) -> AppResult<ConsentsDto> {
    standing(db, person).await
}

/// The signed-in person's consents (the first-sign-in screen and the profile).
pub async fn mine(db: &impl ConnectionTrait, principal: &Principal) -> AppResult<ConsentsDto> {
    standing(db, &principal.user).await
}

/// A purpose of the person's regions, active (someone else's region's purpose: 404).
async fn purpose_for(
    db: &impl ConnectionTrait,
    person: &user::Model,
    purpose_id: Uuid,
) -> AppResult<consent_purpose::Model> {
    let p = consent_purpose::Entity::find_by_id(purpose_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !regions_of(db, person).await?.contains(&p.region_id) {
        return Err(AppError::NotFound);
    }
    if !p.active {
        return Err(AppError::conflict(
            "consent_purpose_inactive",
            "Эта цель обработки больше не используется регионом.",
        ));
    }
    Ok(p)
}

/// Appends a decision and carries out what it changes.
#[allow(clippy::too_many_arguments)]
async fn decide(
    db: &impl ConnectionTrait,
    person: Uuid,
    purpose: &consent_purpose::Model,
    given: bool,
    method: ConsentMethod,
    registered_by: Option<Uuid>,
    signed_on: Option<NaiveDate>,
) -> AppResult<consent_record::Model> {
    let before = consent_record::Entity::find()
        .filter(consent_record::Column::UserId.eq(person))
        .filter(consent_record::Column::PurposeId.eq(purpose.id))
        .all(db)
        .await?;
    let was = consent::allows(consent::latest(
        &before.iter().map(decision).collect::<Vec<_>>(),
    ));
    let t = db::now();
    let row = consent_record::ActiveModel {
        id: Set(db::new_id()),
        user_id: Set(person),
        purpose_id: Set(purpose.id),
        version: Set(purpose.version),
        given: Set(given),
        method: Set(method.as_str().to_owned()),
        registered_by: Set(registered_by),
        signed_on: Set(signed_on),
        scan_key: Set(None),
        scan_type: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    let kind: PurposeKind = db::parse_code(&purpose.kind)?;
    if kind == PurposeKind::Transfer && was != given {
        resync_person(db, person).await?;
    }
    if kind == PurposeKind::Publication && !given {
        crate::services::bank::withdraw_all_of(db, person).await?;
    }
    Ok(row)
}

/// Marks every feed item about a person changed, so integrations read them again: as
/// tombstones after a "no", with their data after a "yes".
async fn resync_person(db: &impl ConnectionTrait, person: Uuid) -> AppResult<()> {
    sync_feed::Entity::update_many()
        .col_expr(sync_feed::Column::Seq, Expr::value(Option::<i64>::None))
        .col_expr(sync_feed::Column::ChangedAt, Expr::value(db::now()))
        .filter(sync_feed::Column::PersonId.eq(person))
        .exec(db)
        .await?;
    sync::touch_person(db, person).await?;
    let routes = route::Entity::find()
        .filter(route::Column::TeacherId.eq(person))
        .all(db)
        .await?;
    for r in &routes {
        sync::touch_route(db, r, false).await?;
    }
    Ok(())
}

/// The person's own answer on one purpose.
pub async fn answer(
    state: &AppState,
    principal: &Principal,
    purpose_id: Uuid,
    answer: ConsentAnswer,
) -> AppResult<ConsentsDto> {
    let txn = db::begin_write(&state.db).await?;
    let purpose = purpose_for(&txn, &principal.user, purpose_id).await?;
    if answer.version != purpose.version {
        return Err(AppError::conflict(
            "consent_text_changed",
            "Текст согласия изменился: прочтите новую редакцию и ответьте ещё раз.",
        ));
    }
    let latest = consent_record::Entity::find()
        .filter(consent_record::Column::UserId.eq(principal.id()))
        .filter(consent_record::Column::PurposeId.eq(purpose.id))
        .order_by_desc(consent_record::Column::CreatedAt)
        .one(&txn)
        .await?;
    // The same answer on the same text again records nothing new.
    let repeat = latest
        .as_ref()
        .is_some_and(|l| l.given == answer.given && l.version == purpose.version);
    if !repeat {
        let row = decide(
            &txn,
            principal.id(),
            &purpose,
            answer.given,
            ConsentMethod::Electronic,
            None,
            None,
        )
        .await?;
        let action = match (answer.given, latest.as_ref().map(|l| l.given)) {
            (true, _) => "processing_consent.given",
            (false, Some(true)) => "processing_consent.withdrawn",
            (false, _) => "processing_consent.refused",
        };
        audit::record(
            &txn,
            Entry::by_user(
                principal.id(),
                action,
                "consent_record",
                row.id,
                serde_json::json!({ "purpose": purpose.kind, "version": purpose.version }),
            )
            .about(principal.id()),
        )
        .await?;
    }
    let dto = standing(&txn, &principal.user).await?;
    txn.commit().await?;
    Ok(dto)
}

/// A person the principal manages (the one rule of who manages whom); anyone else: 404.
async fn managed_person(
    db: &impl ConnectionTrait,
    principal: &Principal,
    person_id: Uuid,
) -> AppResult<user::Model> {
    let person = users::find(db, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (facts, _) = people::facts(db, principal, &person).await?;
    if !principal.actor.can_read_person(&facts) {
        return Err(AppError::NotFound);
    }
    if !people::manages(db, principal, &facts).await? {
        return Err(AppError::forbidden(
            "Согласия сотрудника регистрирует координатор ОО или тот, кто управляет его учётной записью.",
        ));
    }
    Ok(person)
}

/// A person's consents, for the school coordinator (or anyone above) who manages them.
pub async fn of_person(
    state: &AppState,
    principal: &Principal,
    person_id: Uuid,
) -> AppResult<ConsentsDto> {
    let person = managed_person(&state.db, principal, person_id).await?;
    let dto = standing(&state.db, &person).await?;
    audit::record(
        &state.db,
        Entry::by_user(
            principal.id(),
            "processing_consent.read",
            "user",
            person.id,
            serde_json::json!({}),
        )
        .about(person.id),
    )
    .await?;
    Ok(dto)
}

/// Registers a paper consent (or its withdrawal on paper) for a person.
pub async fn register_paper(
    state: &AppState,
    principal: &Principal,
    person_id: Uuid,
    input: PaperConsent,
) -> AppResult<ConsentRecordDto> {
    let today = db::now().date_naive();
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    if input.signed_on > today || input.signed_on < earliest {
        return Err(AppError::invalid(
            "signed_on",
            "Дата подписания — не позже сегодняшней и не раньше 2000 года.",
        ));
    }
    let txn = db::begin_write(&state.db).await?;
    let person = managed_person(&txn, principal, person_id).await?;
    let purpose = purpose_for(&txn, &person, input.purpose_id).await?;
    let row = decide(
        &txn,
        person.id,
        &purpose,
        input.given,
        ConsentMethod::Paper,
        Some(principal.id()),
        Some(input.signed_on),
    )
    .await?;
    audit::record(
        &txn,
        Entry::by_user(
            principal.id(),
            "processing_consent.registered",
            "consent_record",
            row.id,
            serde_json::json!({ "purpose": purpose.kind, "given": input.given }),
        )
        .about(person.id),
    )
    .await?;
    let dto = history(&txn, std::slice::from_ref(&row)).await?.remove(0);
    txn.commit().await?;
    Ok(dto)
}

/// A paper record of a person the principal manages.
async fn paper_record(
    db: &impl ConnectionTrait,
    principal: &Principal,
    person_id: Uuid,
    record_id: Uuid,
) -> AppResult<consent_record::Model> {
    managed_person(db, principal, person_id).await?;
    consent_record::Entity::find_by_id(record_id)
        .one(db)
        .await?
        .filter(|r| r.user_id == person_id && r.method == ConsentMethod::Paper.as_str())
        .ok_or(AppError::NotFound)
}

/// Whether the principal may attach a scan to the record (asked before the body is read).
pub async fn may_attach_scan(
    state: &AppState,
    principal: &Principal,
    person_id: Uuid,
    record_id: Uuid,
) -> AppResult<()> {
    paper_record(&state.db, principal, person_id, record_id)
        .await
        .map(|_| ())
}

/// Attaches the scan of a paper consent (PDF, JPEG or PNG), replacing an earlier one.
pub async fn attach_scan(
    state: &AppState,
    principal: &Principal,
    person_id: Uuid,
    record_id: Uuid,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<ConsentRecordDto> {
    let ext = match content_type.split(';').next().unwrap_or("").trim() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => {
            return Err(AppError::invalid(
                "file",
                "Скан согласия — файл PDF, JPEG или PNG.",
            ));
        }
    };
    let (_, content_type) =
        super::route::files::check(&format!("scan.{ext}"), content_type, bytes)?;
    let key = format!("consent{}", Uuid::new_v4().simple());
    let dir = state.settings.files_dir.clone();
    let path = dir.join(&key);
    let data = bytes.to_vec();
    // Written before the row commits; a failed commit leaves an orphan the housekeeping removes.
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
    let row = paper_record(&txn, principal, person_id, record_id).await?;
    let old = row.scan_key.clone();
    let mut am: consent_record::ActiveModel = row.into();
    am.scan_key = Set(Some(key));
    am.scan_type = Set(Some(content_type));
    am.updated_at = Set(db::now());
    let row = am.update(&txn).await?;
    audit::record(
        &txn,
        Entry::by_user(
            principal.id(),
            "processing_consent.scan_attached",
            "consent_record",
            row.id,
            serde_json::json!({}),
        )
        .about(person_id),
    )
    .await?;
    let dto = history(&txn, std::slice::from_ref(&row)).await?.remove(0);
    txn.commit().await?;
    if let Some(old) = old {
        let _ = std::fs::remove_file(state.settings.files_dir.join(old));
    }
    Ok(dto)
}

/// The scan of a paper consent: its type and where its bytes are. The person themselves may
/// read it too.
pub async fn scan(
    state: &AppState,
    principal: &Principal,
    person_id: Uuid,
    record_id: Uuid,
) -> AppResult<(String, std::path::PathBuf)> {
    let row = if person_id == principal.id() {
        consent_record::Entity::find_by_id(record_id)
            .one(&state.db)
            .await?
            .filter(|r| r.user_id == person_id)
            .ok_or(AppError::NotFound)?
    } else {
        paper_record(&state.db, principal, person_id, record_id).await?
    };
    let (Some(key), Some(ct)) = (row.scan_key, row.scan_type) else {
        return Err(AppError::NotFound);
    };
    Ok((ct, state.settings.files_dir.join(key)))
}

// ---- What a "no" stops ----

/// Of `people`, those whose latest decision on a purpose of `kind` is a no: the feeds and
/// webhooks leave them out (for transfer), the bank does not publish them (for publication).
pub async fn withheld(
    db: &impl ConnectionTrait,
    kind: PurposeKind,
    people: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    let mut out = HashSet::new();
    if people.is_empty() {
        return Ok(out);
    }
    // The purposes of the kind, as a subquery: this runs on every feed page and every route
    // webhook, so it costs one query per chunk of people rather than a load of the purposes too.
    let purposes = sea_orm::sea_query::Query::select()
        .column(consent_purpose::Column::Id)
        .from(consent_purpose::Entity)
        .and_where(consent_purpose::Column::Kind.eq(kind.as_str()))
        .to_owned();
    let mut unique: Vec<Uuid> = people.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for chunk in unique.chunks(500) {
        let rows = consent_record::Entity::find()
            .filter(consent_record::Column::UserId.is_in(chunk.iter().copied()))
            .filter(consent_record::Column::PurposeId.in_subquery(purposes.clone()))
            .all(db)
            .await?;
        let mut by: HashMap<(Uuid, Uuid), Vec<Decision>> = HashMap::new();
        for r in &rows {
            by.entry((r.user_id, r.purpose_id))
                .or_default()
                .push(decision(r));
        }
        for ((person, _), decisions) in &by {
            if !consent::allows(consent::latest(decisions)) {
                out.insert(*person);
            }
        }
    }
    Ok(out)
}

/// Whether the person has said «yes» to the region's purpose of `kind` (their latest decision
/// on its active purpose). Unlike [`withheld`], silence is not agreement: publishing needs an
/// explicit yes.
pub async fn agreed(
    db: &impl ConnectionTrait,
    kind: PurposeKind,
    region: Uuid,
    person: Uuid,
) -> AppResult<bool> {
    let purposes: Vec<Uuid> = consent_purpose::Entity::find()
        .filter(consent_purpose::Column::RegionId.eq(region))
        .filter(consent_purpose::Column::Kind.eq(kind.as_str()))
        .filter(consent_purpose::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if purposes.is_empty() {
        return Ok(false);
    }
    let rows = consent_record::Entity::find()
        .filter(consent_record::Column::UserId.eq(person))
        .filter(consent_record::Column::PurposeId.is_in(purposes))
        .all(db)
        .await?;
    let decisions: Vec<Decision> = rows.iter().map(decision).collect();
    Ok(consent::latest(&decisions).is_some_and(|d| d.given))
}

/// The demo's people: consent given electronically to every active purpose of the region.
pub async fn give_all_for_demo(
    db: &impl ConnectionTrait,
    person: Uuid,
    region: Uuid,
) -> AppResult<()> {
    let purposes = consent_purpose::Entity::find()
        .filter(consent_purpose::Column::RegionId.eq(region))
        .filter(consent_purpose::Column::Active.eq(true))
        .all(db)
        .await?;
    for p in &purposes {
        decide(db, person, p, true, ConsentMethod::Electronic, None, None).await?;
    }
    Ok(())
}

//! Completion certificates (regulation 4.2): issued in the transaction that completes a route,
//! revoked when the route is reopened or by the region's manager, verified publicly by an
//! unguessable code.

use chrono::{DateTime, Datelike, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use shared::ActivityStatus;
use shared::dto::RouteDto;
use shared::dto::documents::{CertificateDto, CertificateVerification, RevokeCertificate};
use uuid::Uuid;
use validator::Validate;

use super::card::{long_date, short_date};
use super::model::{Align, Block, Doc, Para};
use crate::auth::Principal;
use crate::db::entities::{certificate, certificate_counter, org_unit, user};
use crate::db::{self, audit, units, users};
use crate::error::{AppError, AppResult};
use crate::services::people::to_ref;
use crate::services::route::access;
use crate::state::AppState;

/// What the certificate certifies, kept as issued.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Content {
    pub position: Option<String>,
    pub school: String,
    pub tasks: Vec<String>,
    pub competencies: Vec<String>,
    pub findings: Option<String>,
    pub results: Option<String>,
    pub recommendations: Option<String>,
    pub outcome: Option<String>,
}

/// A verification code: 120 random bits in lowercase base32 (24 characters).
pub fn new_code() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 15];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut out = String::with_capacity(24);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    out
}

/// Whether `code` could be a code at all (anything else is refused without a query).
pub fn plausible_code(code: &str) -> bool {
    code.len() == 24
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// The region's prefix in certificate numbers: its external code, its short name, else «ИОМ».
fn region_prefix(region: &org_unit::Model) -> String {
    let raw = region
        .external_id
        .as_deref()
        .or(region.short_name.as_deref())
        .unwrap_or("ИОМ");
    let clean: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(12)
        .collect();
    if clean.is_empty() {
        "ИОМ".into()
    } else {
        clean.to_uppercase()
    }
}

/// Counts `key` up by one under the caller's transaction (its row lock) and returns the new
/// value (1 the first time).
pub(super) async fn count_up(db: &impl ConnectionTrait, key: &str) -> AppResult<i32> {
    certificate_counter::Entity::insert(certificate_counter::ActiveModel {
        key: Set(key.to_owned()),
        last: Set(1),
    })
    .on_conflict(
        OnConflict::column(certificate_counter::Column::Key)
            .value(
                certificate_counter::Column::Last,
                Expr::col((
                    certificate_counter::Entity,
                    certificate_counter::Column::Last,
                ))
                .add(1),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(certificate_counter::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map_or(1, |c| c.last))
}

/// The next number for `prefix` and `year`, counted under the issuing transaction's row lock.
async fn next_number(db: &impl ConnectionTrait, prefix: &str, year: i32) -> AppResult<String> {
    let key = format!("{prefix}-{year}");
    let last = count_up(db, &key).await?;
    Ok(format!("{key}-{last:06}"))
}

/// Hours of further training recorded in the roadmap (activities done).
pub fn training_hours(route: &RouteDto) -> Option<f64> {
    let sum: f64 = route
        .activity
        .activities
        .iter()
        .filter(|a| a.status == ActivityStatus::Done)
        .filter_map(|a| a.hours)
        .sum();
    (sum > 0.0).then_some(sum)
}

fn content_of(route: &RouteDto, position: Option<String>) -> Content {
    let mut competencies: Vec<String> = Vec::new();
    for a in &route.activity.activities {
        if a.status == ActivityStatus::Cancelled {
            continue;
        }
        for c in &a.competencies {
            if !competencies.contains(&c.name) {
                competencies.push(c.name.clone());
            }
        }
    }
    let c = &route.reflective.conclusion;
    Content {
        position,
        school: route.school.name.clone(),
        tasks: route.target.tasks.iter().map(|t| t.title.clone()).collect(),
        competencies,
        findings: c.findings.clone(),
        results: c.results.clone(),
        recommendations: c.recommendations.clone(),
        outcome: c.outcome.map(|o| o.title_ru().to_owned()),
    }
}

/// Issues the certificate of a route that has just completed, in the completing transaction.
pub async fn issue(
    db: &impl ConnectionTrait,
    route: &RouteDto,
    actor: Uuid,
    now: DateTime<Utc>,
) -> AppResult<certificate::Model> {
    let school = units::find(db, route.school.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let region = units::find(db, school.region_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let teacher = users::find(db, route.teacher.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let number = next_number(db, &region_prefix(&region), now.year()).await?;
    let content = content_of(route, teacher.position.clone());
    let issuer = super::badges::issuer_name(&region);
    let status_index = super::badges::next_status_index(db, region.id).await?;
    let model = certificate::ActiveModel {
        id: Set(db::new_id()),
        created_at: Set(now),
        updated_at: Set(now),
        route_id: Set(route.id),
        teacher_id: Set(route.teacher.id),
        region_id: Set(region.id),
        school_id: Set(school.id),
        municipality_id: Set(school.municipality_id),
        number: Set(number),
        code: Set(new_code()),
        person_name: Set(route.teacher.full_name.clone()),
        route_title: Set(route.title.clone()),
        period_start: Set(route.period_start),
        period_end: Set(route.period_end),
        issuer: Set(issuer),
        hours: Set(training_hours(route)),
        content: Set(serde_json::to_string(&content).map_err(anyhow::Error::from)?),
        issued_at: Set(now),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoke_reason: Set(None),
        status_index: Set(Some(status_index)),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        audit::Entry::by_user(
            actor,
            "certificate.issue",
            "certificate",
            model.id,
            serde_json::json!({ "route_id": route.id, "number": model.number }),
        ),
    )
    .await?;
    Ok(model)
}

/// Revokes the route's valid certificates (the route was reopened), in the caller's transaction.
pub async fn revoke_for_route(
    db: &impl ConnectionTrait,
    route_id: Uuid,
    actor: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let valid = certificate::Entity::find()
        .filter(certificate::Column::RouteId.eq(route_id))
        .filter(certificate::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    for c in valid {
        let id = c.id;
        let mut am = c.into_active_model();
        am.revoked_at = Set(Some(now));
        am.revoked_by = Set(Some(actor));
        am.revoke_reason = Set(Some(reason.to_owned()));
        am.updated_at = Set(now);
        am.update(db).await?;
        audit::record(
            db,
            audit::Entry::by_user(
                actor,
                "certificate.revoke",
                "certificate",
                id,
                serde_json::json!({ "reason": reason }),
            ),
        )
        .await?;
    }
    Ok(())
}

fn to_dto(
    state: &AppState,
    c: &certificate::Model,
    teacher: &user::Model,
    school: &org_unit::Model,
    can_revoke: bool,
) -> AppResult<CertificateDto> {
    Ok(CertificateDto {
        id: c.id,
        number: c.number.clone(),
        code: c.code.clone(),
        route_id: c.route_id,
        teacher: to_ref(teacher),
        school: units::to_ref(school)?,
        route_title: c.route_title.clone(),
        period_start: c.period_start,
        period_end: c.period_end,
        issuer: c.issuer.clone(),
        hours: c.hours,
        issued_at: c.issued_at,
        revoked_at: c.revoked_at,
        revoke_reason: c.revoke_reason.clone(),
        verify_url: verify_url(state, &c.code),
        pdf_url: format!("/api/v1/certificates/{}/pdf", c.id),
        badge_url: format!("/api/v1/certificates/{}/badge", c.id),
        can_revoke,
    })
}

pub fn verify_url(state: &AppState, code: &str) -> String {
    format!("{}/verify/{}", state.base_url.trim_end_matches('/'), code)
}

/// Certificates of the caller (the teacher's cabinet), newest first.
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<Vec<CertificateDto>> {
    let rows = certificate::Entity::find()
        .filter(certificate::Column::TeacherId.eq(principal.id()))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        let school = units::find(&state.db, c.school_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let path = units::path(&school)?;
        out.push(to_dto(
            state,
            c,
            &principal.user,
            &school,
            principal.actor.can_revoke_certificate(&path),
        )?);
    }
    Ok(out)
}

/// Certificates issued for a route, for everyone who may read the route.
pub async fn for_route(
    state: &AppState,
    principal: &Principal,
    route_id: Uuid,
) -> AppResult<Vec<CertificateDto>> {
    let ctx = access::load(&state.db, principal, route_id, false).await?;
    if !principal.actor.can_read_certificate(&ctx.facts) {
        return Err(AppError::NotFound);
    }
    let rows = certificate::Entity::find()
        .filter(certificate::Column::RouteId.eq(route_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(&state.db)
        .await?;
    let teacher = users::find(&state.db, ctx.route.teacher_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_revoke = principal.actor.can_revoke_certificate(&ctx.facts.school);
    rows.iter()
        .map(|c| to_dto(state, c, &teacher, &ctx.school, can_revoke))
        .collect()
}

/// Loads a certificate the principal may read (through its route), else 404.
pub(super) async fn load(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<(certificate::Model, access::RouteCtx)> {
    let c = certificate::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = access::load(&state.db, principal, c.route_id, false).await?;
    if !principal.actor.can_read_certificate(&ctx.facts) {
        return Err(AppError::NotFound);
    }
    Ok((c, ctx))
}

/// The certificate as a document.
pub fn document(c: &certificate::Model, verify_url: &str) -> Doc {
    let content: Content = serde_json::from_str(&c.content).unwrap_or_default();
    let mut doc = Doc {
        title: format!("Свидетельство № {}", c.number),
        blocks: Vec::new(),
        number_pages: false,
    };
    if let Some(at) = c.revoked_at {
        doc.push(
            Para::text(format!(
                "АННУЛИРОВАНО {}{}",
                short_date(at.date_naive()),
                c.revoke_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ))
            .bold()
            .align(Align::Center),
        );
    }
    doc.push(Para::text(&c.issuer).align(Align::Center).before(6.0));
    doc.push(
        Para::text("СВИДЕТЕЛЬСТВО")
            .bold()
            .size(22.0)
            .align(Align::Center)
            .before(36.0),
    );
    doc.push(
        Para::text("о прохождении индивидуального образовательного маршрута")
            .size(13.0)
            .align(Align::Center)
            .before(4.0),
    );
    doc.push(
        Para::text(format!("№ {}", c.number))
            .size(12.0)
            .align(Align::Center)
            .before(8.0),
    );
    doc.push(
        Para::text("Настоящее свидетельство выдано")
            .align(Align::Center)
            .before(24.0),
    );
    doc.push(
        Para::text(&c.person_name)
            .bold()
            .size(16.0)
            .align(Align::Center)
            .before(6.0),
    );
    let workplace = match content.position.as_deref() {
        Some(p) if !p.trim().is_empty() => format!("{p}, {}", content.school),
        _ => content.school.clone(),
    };
    doc.push(Para::text(workplace).align(Align::Center).before(2.0));
    doc.push(
        Para::text(format!(
            "в том, что в период с {} по {} он(а) прошёл(а) индивидуальный образовательный маршрут",
            long_date(c.period_start),
            long_date(c.period_end)
        ))
        .align(Align::Center)
        .before(12.0),
    );
    doc.push(
        Para::text(format!("«{}»", c.route_title))
            .bold()
            .size(13.0)
            .align(Align::Center)
            .before(4.0),
    );
    if !content.tasks.is_empty() {
        doc.push(Para::heading("Задачи профессионального развития"));
        let list: Vec<String> = content
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {t}", i + 1))
            .collect();
        doc.push(Para::text(list.join("\n")));
    }
    if !content.competencies.is_empty() {
        doc.push(Para::heading("Формируемые компетенции"));
        doc.push(Para::text(content.competencies.join("; ")));
    }
    if let Some(h) = c.hours {
        doc.push(
            Para::text(format!(
                "Повышение квалификации по дорожной карте: {} ч.",
                super::card::format_number(h)
            ))
            .before(8.0),
        );
    }
    let conclusion: Vec<String> = [
        ("Выводы", &content.findings),
        ("Результаты", &content.results),
        ("Рекомендации", &content.recommendations),
    ]
    .iter()
    .filter_map(|(l, t)| {
        t.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| format!("{l}: {t}"))
    })
    .chain(content.outcome.iter().map(|o| format!("Итог: {o}.")))
    .collect();
    if !conclusion.is_empty() {
        doc.push(Para::heading("Заключение"));
        doc.push(Para::text(conclusion.join("\n")));
    }
    doc.push(
        Para::text(format!(
            "Дата выдачи: {}",
            long_date(c.issued_at.date_naive())
        ))
        .before(14.0),
    );
    doc.push(Para::text("Руководитель ЦНППМ ______________ / ______________").before(18.0));
    doc.push(Para::text("").before(10.0));
    doc.blocks.push(Block::Qr {
        data: verify_url.to_owned(),
        size: 96.0,
        caption: vec![
            "Проверить подлинность свидетельства:".into(),
            verify_url.to_owned(),
            format!("Код проверки: {}", c.code),
        ],
    });
    doc
}

/// The certificate as PDF, for everyone who may read its route.
pub async fn pdf(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<super::Rendered> {
    let (c, ctx) = load(state, principal, id).await?;
    access::audit_read(
        state,
        principal,
        &ctx,
        "certificate.read",
        "certificate",
        c.id,
    );
    let doc = document(&c, &verify_url(state, &c.code));
    Ok(super::Rendered {
        bytes: super::render(doc, shared::dto::documents::CardFormat::Pdf).await?,
        filename: super::file_name(&format!("Свидетельство_{}", c.number), "pdf"),
        content_type: super::PDF_TYPE,
    })
}

/// Revokes a certificate: the region's manager, with a reason.
pub async fn revoke(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: RevokeCertificate,
) -> AppResult<CertificateDto> {
    req.validate()?;
    let (c, ctx) = load(state, principal, id).await?;
    if !principal.actor.can_revoke_certificate(&ctx.facts.school) {
        return Err(AppError::forbidden(
            "Аннулировать свидетельство может менеджер ЦНППМ региона.",
        ));
    }
    if c.revoked_at.is_some() {
        return Err(AppError::conflict(
            "certificate_revoked",
            "Свидетельство уже аннулировано.",
        ));
    }
    let txn = db::begin_write(&state.db).await?;
    let now = db::now();
    let reason = req.reason.trim().to_owned();
    let mut am = c.into_active_model();
    am.revoked_at = Set(Some(now));
    am.revoked_by = Set(Some(principal.id()));
    am.revoke_reason = Set(Some(reason.clone()));
    am.updated_at = Set(now);
    let updated = am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "certificate.revoke",
            "certificate",
            id,
            serde_json::json!({ "reason": reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    let teacher = users::find(&state.db, updated.teacher_id)
        .await?
        .ok_or(AppError::NotFound)?;
    to_dto(state, &updated, &teacher, &ctx.school, true)
}

/// Requests to verify per address per minute.
pub const VERIFY_PER_MINUTE: i32 = 30;

/// Public verification: validity and the minimum needed, rate-limited per address.
pub async fn verify(
    state: &AppState,
    address: Option<&str>,
    code: &str,
) -> AppResult<CertificateVerification> {
    let key = format!("verify:{}", address.unwrap_or("unknown"));
    let rate =
        crate::services::integration::rate::hit(&state.db, &key, VERIFY_PER_MINUTE, db::now())
            .await?;
    if !rate.allowed {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(rate.reset).unwrap_or(60),
        });
    }
    if !plausible_code(code) {
        return Err(AppError::NotFound);
    }
    let c = certificate::Entity::find()
        .filter(certificate::Column::Code.eq(code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CertificateVerification {
        valid: c.revoked_at.is_none(),
        number: c.number,
        person_name: c.person_name,
        route_title: c.route_title,
        issued_on: c.issued_at.date_naive(),
        issuer: c.issuer,
        revoked_on: c.revoked_at.map(|d| d.date_naive()),
    })
}

/// The number of each route's valid certificate (the latest, if it was reissued).
pub async fn numbers_for_routes(
    db: &impl ConnectionTrait,
    route_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, String>> {
    let mut out = std::collections::HashMap::new();
    if route_ids.is_empty() {
        return Ok(out);
    }
    for c in certificate::Entity::find()
        .filter(certificate::Column::RouteId.is_in(route_ids.iter().copied()))
        .filter(certificate::Column::RevokedAt.is_null())
        .order_by_asc(certificate::Column::IssuedAt)
        .all(db)
        .await?
    {
        out.insert(c.route_id, c.number);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_recognisable() {
        let a = new_code();
        let b = new_code();
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert!(plausible_code(&a));
        assert!(!plausible_code("short"));
        assert!(!plausible_code("ABCDEFGHIJKLMNOPQRSTUVWX"));
    }
}

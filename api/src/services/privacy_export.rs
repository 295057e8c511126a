//! «Мои данные»: a person's export of everything the platform holds about them (152-ФЗ,
//! art. 14) — a ZIP with one JSON file per kind of data and a readable PDF summary.
//!
//! The person starts an export; a job on the database queue assembles the archive into the
//! files directory, advancing the row's progress as it goes, and the person downloads it for
//! [`KEEP_DAYS`] days, after which the housekeeping deletes the row with its file. One export
//! runs per person at a time (starting again while one is waiting or running answers with that
//! one), and at most [`MAX_PER_DAY`] are started in a day.
//!
//! Only the person's data goes in: other people appear by name only, where they acted on the
//! person's own record (a tutor on the route, an approver, a reader in the access log); their
//! e-mail addresses are taken out wherever a reference to someone else carries one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use shared::dto::people::AccessLogEntry;
use shared::dto::{MeResponse, PersonalExportDto, PersonalExportStatus, RouteDto};
use shared::text::full_name;
use uuid::Uuid;

use crate::auth::{Principal, principal};
use crate::db::entities::{
    certificate, diagnostic_result, enrolment, event, mail_message, notification,
    notification_setting, personal_export, refresh_token, route, user,
};
use crate::db::{self, audit, jobs, routes, users};
use crate::error::{AppError, AppResult};
use crate::services::documents::model::{Align, Cell, Doc, Para, Table};
use crate::services::{diagnostics, people, privacy};

/// The job kind that assembles an export.
pub const EXPORT: &str = "privacy.export";

/// How long a finished export (or a failed one's row) is kept.
pub const KEEP_DAYS: i64 = 7;

/// Exports one person may start in 24 hours.
pub const MAX_PER_DAY: usize = 5;

/// Access-log entries the PDF lists (the JSON has them all).
const PDF_LOG_ENTRIES: usize = 100;

/// A waiting or running export untouched this long is taken for dead (its worker stopped).
fn stale_after() -> Duration {
    Duration::hours(1)
}

fn status_of(r: &personal_export::Model) -> AppResult<PersonalExportStatus> {
    Ok(db::parse_code(&r.status)?)
}

fn to_dto(r: &personal_export::Model) -> AppResult<PersonalExportDto> {
    Ok(PersonalExportDto {
        id: r.id,
        status: status_of(r)?,
        progress: u8::try_from(r.progress.clamp(0, 100)).unwrap_or(0),
        created_at: r.created_at,
        finished_at: r.finished_at,
        size_bytes: r.size_bytes.and_then(|s| u64::try_from(s).ok()),
        expires_at: r.expires_at,
    })
}

fn gone() -> AppError {
    AppError::Gone {
        code: "export_expired",
        detail: format!(
            "Срок хранения выгрузки истёк ({KEEP_DAYS} дней), и её файл удалён. Запустите выгрузку снова."
        ),
    }
}

/// The storage key of an export's archive in the files directory.
fn storage_key(id: Uuid) -> String {
    format!("export-{}.zip", id.simple())
}

/// Starts an export of the caller's data, or answers with the one already waiting or running.
/// 429 after [`MAX_PER_DAY`] exports in 24 hours.
pub async fn start(db: &DatabaseConnection, principal: &Principal) -> AppResult<PersonalExportDto> {
    let me = principal.id();
    let txn = db::begin_write(db).await?;
    // Concurrent starts by one person queue up behind this lock (PostgreSQL); SQLite's write
    // transaction already serialises them.
    user::Entity::find_by_id(me)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let t = db::now();
    let recent = personal_export::Entity::find()
        .filter(personal_export::Column::UserId.eq(me))
        .filter(personal_export::Column::CreatedAt.gt(t - Duration::days(1)))
        .order_by_asc(personal_export::Column::CreatedAt)
        .all(&txn)
        .await?;
    for r in &recent {
        if status_of(r)?.finished() {
            continue;
        }
        if r.updated_at > t - stale_after() {
            txn.commit().await?;
            return to_dto(r);
        }
        finish_failed(&txn, r.id, "the export stopped without finishing").await?;
    }
    if recent.len() >= MAX_PER_DAY {
        let oldest = recent.first().map_or(t, |r| r.created_at);
        let wait = (oldest + Duration::days(1) - t).num_seconds().max(1);
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        });
    }
    let id = db::new_id();
    jobs::enqueue(&txn, EXPORT, &json!({ "export_id": id }), t, 3).await?;
    let row = personal_export::ActiveModel {
        id: Set(id),
        user_id: Set(me),
        status: Set(PersonalExportStatus::Pending.as_str().to_owned()),
        progress: Set(0),
        storage_key: Set(None),
        size_bytes: Set(None),
        error: Set(None),
        finished_at: Set(None),
        expires_at: Set(t + Duration::days(KEEP_DAYS)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            me,
            "privacy.export_requested",
            "personal_export",
            id,
            json!({}),
        )
        .about(me),
    )
    .await?;
    txn.commit().await?;
    to_dto(&row)
}

/// The caller's own export `id`: 404 for anyone else's (or none), 410 once it has expired.
async fn own(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<personal_export::Model> {
    let row = personal_export::Entity::find_by_id(id)
        .filter(personal_export::Column::UserId.eq(principal.id()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.expires_at <= db::now() {
        return Err(gone());
    }
    Ok(row)
}

/// The caller's latest export that has not expired (404 when there is none).
pub async fn latest(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<PersonalExportDto> {
    let row = personal_export::Entity::find()
        .filter(personal_export::Column::UserId.eq(principal.id()))
        .filter(personal_export::Column::ExpiresAt.gt(db::now()))
        .order_by_desc(personal_export::Column::CreatedAt)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    to_dto(&row)
}

/// One of the caller's exports.
pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<PersonalExportDto> {
    to_dto(&own(db, principal, id).await?)
}

/// A finished archive, ready to send.
#[derive(Debug)]
pub struct Archive {
    pub bytes: Vec<u8>,
    pub filename: String,
}

/// The archive of the caller's export `id` (audited). 409 while it is being prepared or when it
/// failed; 410 once it has expired.
pub async fn download(
    db: &DatabaseConnection,
    files_dir: &Path,
    principal: &Principal,
    id: Uuid,
) -> AppResult<Archive> {
    let row = own(db, principal, id).await?;
    match status_of(&row)? {
        PersonalExportStatus::Done => {}
        PersonalExportStatus::Failed => {
            return Err(AppError::conflict(
                "export_failed",
                "Эту выгрузку не удалось подготовить. Запустите выгрузку снова.",
            ));
        }
        PersonalExportStatus::Pending | PersonalExportStatus::Running => {
            return Err(AppError::conflict(
                "export_not_ready",
                "Выгрузка ещё готовится: скачать её можно, когда она будет готова.",
            ));
        }
    }
    let key = row.storage_key.clone().ok_or_else(gone)?;
    let path = files_dir.join(&key);
    let read = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let bytes = match read {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(gone()),
        Err(e) => return Err(AppError::Unexpected(e.into())),
    };
    audit::record(
        db,
        audit::Entry::by_user(
            principal.id(),
            "privacy.export_downloaded",
            "personal_export",
            id,
            json!({ "size_bytes": bytes.len() }),
        )
        .about(principal.id()),
    )
    .await?;
    let day = row.finished_at.unwrap_or(row.created_at).date_naive();
    Ok(Archive {
        bytes,
        filename: crate::services::documents::file_name(&format!("Мои_данные_ИОМ_{day}"), "zip"),
    })
}

async fn finish_failed(
    db: &impl ConnectionTrait,
    id: Uuid,
    error: &str,
) -> Result<(), sea_orm::DbErr> {
    let t = db::now();
    personal_export::Entity::update_many()
        .col_expr(
            personal_export::Column::Status,
            Expr::value(PersonalExportStatus::Failed.as_str()),
        )
        .col_expr(
            personal_export::Column::Error,
            Expr::value(error.chars().take(2000).collect::<String>()),
        )
        .col_expr(personal_export::Column::FinishedAt, Expr::value(Some(t)))
        .col_expr(
            personal_export::Column::ExpiresAt,
            Expr::value(t + Duration::days(KEEP_DAYS)),
        )
        .col_expr(personal_export::Column::UpdatedAt, Expr::value(t))
        .filter(personal_export::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

async fn set_progress(db: &impl ConnectionTrait, id: Uuid, progress: i32) -> anyhow::Result<()> {
    personal_export::Entity::update_many()
        .col_expr(
            personal_export::Column::Status,
            Expr::value(PersonalExportStatus::Running.as_str()),
        )
        .col_expr(
            personal_export::Column::Progress,
            Expr::value(progress.clamp(0, 99)),
        )
        .col_expr(personal_export::Column::UpdatedAt, Expr::value(db::now()))
        .filter(personal_export::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

// ---- The job ----

/// The job: assembles the export's archive into `files_dir`. An error marks the export failed
/// (the person starts another); it is not retried.
pub async fn export_job(
    db: DatabaseConnection,
    files_dir: PathBuf,
    payload: Value,
) -> anyhow::Result<()> {
    let id: Uuid = serde_json::from_value(payload["export_id"].clone())?;
    let Some(row) = personal_export::Entity::find_by_id(id).one(&db).await? else {
        return Ok(());
    };
    if status_of(&row)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .finished()
    {
        return Ok(());
    }
    set_progress(&db, id, 0).await?;
    match write_archive(&db, &files_dir, &row).await {
        Ok((key, size)) => {
            let t = db::now();
            personal_export::Entity::update_many()
                .col_expr(
                    personal_export::Column::Status,
                    Expr::value(PersonalExportStatus::Done.as_str()),
                )
                .col_expr(personal_export::Column::Progress, Expr::value(100))
                .col_expr(personal_export::Column::StorageKey, Expr::value(Some(key)))
                .col_expr(personal_export::Column::SizeBytes, Expr::value(Some(size)))
                .col_expr(personal_export::Column::FinishedAt, Expr::value(Some(t)))
                .col_expr(
                    personal_export::Column::ExpiresAt,
                    Expr::value(t + Duration::days(KEEP_DAYS)),
                )
                .col_expr(personal_export::Column::UpdatedAt, Expr::value(t))
                .filter(personal_export::Column::Id.eq(id))
                .exec(&db)
                .await?;
        }
        Err(e) => {
            tracing::warn!(export = %id, error = %format!("{e:#}"), "personal data export failed");
            finish_failed(&db, id, &format!("{e:#}")).await?;
        }
    }
    Ok(())
}

/// Collects everything, writes the ZIP next to its final name and renames it into place.
/// Returns the storage key and the size.
async fn write_archive(
    db: &DatabaseConnection,
    files_dir: &Path,
    row: &personal_export::Model,
) -> anyhow::Result<(String, i64)> {
    let data = collect(db, row).await?;
    set_progress(db, row.id, 90).await?;
    let now = db::now();
    let mut files: Vec<(&'static str, Vec<u8>)> = vec![("README.txt", readme(now).into_bytes())];
    for (name, value) in data.json_files() {
        files.push((name, serde_json::to_vec_pretty(&value)?));
    }
    let doc = summary(&data, now);
    let key = storage_key(row.id);
    let dir = files_dir.to_path_buf();
    let final_key = key.clone();
    let size = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        let pdf = crate::services::documents::pdf::render(&doc)?;
        files.push(("export.pdf", pdf));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&final_key);
        let tmp = dir.join(format!("{final_key}.part"));
        let file = std::fs::File::create(&tmp)?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &files {
            zip.start_file(*name, options)?;
            std::io::Write::write_all(&mut zip, bytes)?;
        }
        let mut out = zip.finish()?;
        std::io::Write::flush(&mut out)?;
        drop(out);
        std::fs::rename(&tmp, &path)?;
        Ok(std::fs::metadata(&path)?.len())
    })
    .await
    .context("the archive writer stopped")??;
    Ok((key, i64::try_from(size).unwrap_or(i64::MAX)))
}

/// Everything about one person, gathered before it is written out.
struct Collected {
    me: MeResponse,
    account: Value,
    routes: Vec<RouteExport>,
    diagnostics: Vec<Value>,
    enrolments: Vec<Value>,
    certificates: Vec<certificate::Model>,
    notifications: Value,
    access_log: Vec<AccessLogEntry>,
    consents: Value,
}

struct RouteExport {
    route: RouteDto,
    history: Value,
    comments: Value,
}

impl Collected {
    /// The JSON files of the archive, each already stripped of other people's contacts.
    fn json_files(&self) -> Vec<(&'static str, Value)> {
        let me = self.me.person.id;
        let mut profile = json!({ "person": self.me.person, "account": self.account });
        if let Some(pending) = &self.me.pending_email {
            profile["pending_email"] = json!(pending);
        }
        let routes: Vec<Value> = self
            .routes
            .iter()
            .map(|r| {
                let mut route = json!(r.route);
                if let Some(o) = route.as_object_mut() {
                    // What the caller may do now is the application's, not data about them.
                    o.remove("permissions");
                }
                json!({ "route": route, "history": r.history, "comments": r.comments })
            })
            .collect();
        let certificates: Vec<Value> = self.certificates.iter().map(certificate_json).collect();
        let mut files = vec![
            ("profile.json", profile),
            ("roles.json", json!(self.me.roles)),
            (
                "assignments.json",
                json!({ "my_staff": self.me.my_staff, "my_teachers": self.me.my_teachers }),
            ),
            ("routes.json", Value::Array(routes)),
            ("diagnostics.json", Value::Array(self.diagnostics.clone())),
            ("enrolments.json", Value::Array(self.enrolments.clone())),
            ("certificates.json", Value::Array(certificates)),
            ("notifications.json", self.notifications.clone()),
            ("access_log.json", json!(self.access_log)),
            ("consents.json", self.consents.clone()),
        ];
        for (_, v) in &mut files {
            scrub(v, me);
        }
        files
    }
}

/// Takes other people's contacts out of a document: every reference to a person (an object
/// with an `id` and a `full_name`) other than `me` keeps its name only.
fn scrub(v: &mut Value, me: Uuid) {
    scrub_by(v, &me.to_string());
}

fn scrub_by(v: &mut Value, me: &str) {
    match v {
        Value::Object(m) => {
            let someone_else = m.contains_key("full_name")
                && m.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| id != me);
            if someone_else {
                m.remove("email");
                m.remove("phone");
            }
            for x in m.values_mut() {
                scrub_by(x, me);
            }
        }
        Value::Array(items) => {
            for x in items {
                scrub_by(x, me);
            }
        }
        _ => {}
    }
}

async fn collect(
    db: &DatabaseConnection,
    row: &personal_export::Model,
) -> anyhow::Result<Collected> {
    let app = |e: AppError| anyhow::anyhow!("{e:?}");
    let user = users::find(db, row.user_id)
        .await?
        .context("the person is gone")?;
    let principal = principal::load(db, user).await.map_err(app)?;
    let me = principal.id();
    let profile = people::me(db, &principal).await.map_err(app)?;
    let account = account(db, &principal.user).await?;
    set_progress(db, row.id, 5).await?;

    let route_rows = route::Entity::find()
        .filter(route::Column::TeacherId.eq(me))
        .order_by_asc(route::Column::CreatedAt)
        .all(db)
        .await?;
    let total = route_rows.len().max(1);
    let mut routes = Vec::with_capacity(route_rows.len());
    for (i, r) in route_rows.iter().enumerate() {
        let ctx = crate::services::route::access::load_unchecked(db, &principal, r.id, false)
            .await
            .map_err(app)?;
        let dto = crate::services::route::read::assemble(db, &principal, &ctx)
            .await
            .map_err(app)?;
        routes.push(RouteExport {
            route: dto,
            history: history(db, r.id).await?,
            comments: comments(db, r.id).await?,
        });
        let done = i32::try_from((i + 1) * 50 / total).unwrap_or(50);
        set_progress(db, row.id, 5 + done).await?;
    }

    let diagnostics = diagnostic_results(db, &principal).await?;
    set_progress(db, row.id, 60).await?;
    let enrolments = enrolments(db, me).await?;
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::TeacherId.eq(me))
        .order_by_asc(certificate::Column::IssuedAt)
        .all(db)
        .await?;
    let notifications = notifications(db, me).await?;
    set_progress(db, row.id, 70).await?;

    let mut access_log = Vec::new();
    loop {
        let page = privacy::access_log(
            db,
            &principal,
            u64::try_from(access_log.len()).unwrap_or(u64::MAX),
            privacy::MAX_PAGE,
        )
        .await
        .map_err(app)?;
        let got = page.items.len();
        access_log.extend(page.items);
        if got == 0 || u64::try_from(access_log.len()).unwrap_or(u64::MAX) >= page.total {
            break;
        }
    }
    set_progress(db, row.id, 80).await?;
    let consents = consents_json(db, me).await?;
    Ok(Collected {
        me: profile,
        account,
        routes,
        diagnostics,
        enrolments,
        certificates,
        notifications,
        access_log,
        consents,
    })
}

/// The person's consents to the processing of their personal data: where they stand on each
/// purpose and every decision, with the text it was made on.
pub async fn consents_json(db: &impl ConnectionTrait, user_id: Uuid) -> anyhow::Result<Value> {
    let Some(person) = crate::db::users::find(db, user_id).await? else {
        return Ok(json!([]));
    };
    let consents = crate::services::consents::of(db, &person)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(serde_json::to_value(consents)?)
}

/// What the account holds beyond the profile: when it was made and last used, the id from the
/// regional system, the person's sign-ins and mail settings (never passwords or tokens).
async fn account(db: &impl ConnectionTrait, u: &user::Model) -> anyhow::Result<Value> {
    let sessions: Vec<Value> = refresh_token::Entity::find()
        .filter(refresh_token::Column::UserId.eq(u.id))
        .order_by_asc(refresh_token::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|t| {
            json!({
                "issued_at": t.created_at,
                "session_started_at": t.session_started_at,
                "expires_at": t.expires_at,
                "used_at": t.used_at,
                "revoked_at": t.revoked_at,
            })
        })
        .collect();
    let mail: Vec<Value> = notification_setting::Entity::find()
        .filter(notification_setting::Column::UserId.eq(u.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| json!({ "kind": s.kind, "channel": s.channel, "since": s.created_at }))
        .collect();
    Ok(json!({
        "created_at": u.created_at,
        "last_login_at": u.last_login_at,
        "external_id": u.external_id,
        "active": u.active,
        "sessions": sessions,
        "notification_settings": mail,
    }))
}

/// Names of people by id (their e-mails stay out of the export).
async fn names(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> anyhow::Result<HashMap<Uuid, String>> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    Ok(users::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|u| {
            (
                u.id,
                full_name(&u.surname, &u.first_name, u.patronymic.as_deref()),
            )
        })
        .collect())
}

fn name_of(names: &HashMap<Uuid, String>, id: Uuid) -> String {
    names.get(&id).cloned().unwrap_or_else(|| "—".into())
}

/// The route's workflow steps and corrections, with who made them by name.
async fn history(db: &impl ConnectionTrait, route_id: Uuid) -> anyhow::Result<Value> {
    let transitions = routes::transitions(db, route_id).await?;
    let changes = routes::changes(db, route_id).await?;
    let mut ids: Vec<Uuid> = transitions.iter().map(|t| t.actor_id).collect();
    ids.extend(changes.iter().map(|c| c.actor_id));
    let names = names(db, ids).await?;
    let transitions: Vec<Value> = transitions
        .iter()
        .map(|t| {
            json!({
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "by": name_of(&names, t.actor_id),
                "comment": t.comment,
                "version": t.version,
                "at": t.at,
            })
        })
        .collect();
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "version": c.version,
                "entity": c.entity,
                "subject": c.subject,
                "field": c.field,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "material": c.material,
                "by": name_of(&names, c.actor_id),
                "at": c.at,
            })
        })
        .collect();
    Ok(json!({ "transitions": transitions, "changes": changes }))
}

async fn comments(db: &impl ConnectionTrait, route_id: Uuid) -> anyhow::Result<Value> {
    let rows = routes::comments(db, route_id).await?;
    let names = names(db, rows.iter().map(|c| c.author_id).collect()).await?;
    Ok(Value::Array(
        rows.iter()
            .map(|c| {
                json!({
                    "author": name_of(&names, c.author_id),
                    "section": c.section,
                    "text": c.text,
                    "at": c.created_at,
                })
            })
            .collect(),
    ))
}

/// The person's diagnostic results per campaign with the deficits they show.
async fn diagnostic_results(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> anyhow::Result<Vec<Value>> {
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::PersonId.eq(principal.id()))
        .order_by_asc(diagnostic_result::Column::CreatedAt)
        .all(db)
        .await?;
    let mut by_campaign: Vec<(Uuid, Vec<diagnostic_result::Model>)> = Vec::new();
    for r in rows {
        match by_campaign.iter_mut().find(|(c, _)| *c == r.campaign_id) {
            Some((_, list)) => list.push(r),
            None => by_campaign.push((r.campaign_id, vec![r])),
        }
    }
    let mut out = Vec::new();
    for (campaign_id, rows) in by_campaign {
        let dto = match diagnostics::load_campaign(db, principal, campaign_id).await {
            Ok(c) => match diagnostics::load_framework(db, c.model.framework_id).await {
                Ok(fw) => diagnostics::results::person_dto(db, &c, &fw, &principal.user, &rows)
                    .await
                    .ok(),
                Err(_) => None,
            },
            Err(_) => None,
        };
        match dto {
            Some(d) => out.push(json!(d)),
            // A campaign the person no longer sees: the results as recorded.
            None => out.push(json!({
                "campaign_id": campaign_id,
                "results": rows.iter().map(|r| json!({
                    "competency_id": r.competency_id,
                    "level": r.level,
                    "score": r.score,
                    "comment": r.comment,
                    "source": r.source,
                    "recorded_at": r.created_at,
                })).collect::<Vec<_>>(),
            })),
        }
    }
    Ok(out)
}

async fn enrolments(db: &impl ConnectionTrait, me: Uuid) -> anyhow::Result<Vec<Value>> {
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(me))
        .order_by_asc(enrolment::Column::CreatedAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|e| e.event_id).collect();
    let events: HashMap<Uuid, event::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        event::Entity::find()
            .filter(event::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect()
    };
    Ok(rows
        .iter()
        .map(|e| {
            let ev = events.get(&e.event_id).map(|v| {
                json!({
                    "id": v.id,
                    "title": v.title,
                    "kind": v.kind,
                    "format": v.format,
                    "starts_on": v.starts_on,
                    "ends_on": v.ends_on,
                    "hours": v.hours,
                })
            });
            json!({
                "id": e.id,
                "event": ev,
                "status": e.status,
                "status_title": e.status.parse::<shared::catalogue::EnrolmentStatus>().map(|s| s.title_ru()).unwrap_or(""),
                "registered_at": e.created_at,
                "updated_at": e.updated_at,
                "route_id": e.route_id,
                "activity_id": e.activity_id,
                "certificate_file": e.certificate_name.as_ref().map(|n| json!({
                    "name": n,
                    "content_type": e.certificate_type,
                    "size": e.certificate_size,
                })),
            })
        })
        .collect())
}

fn certificate_json(c: &certificate::Model) -> Value {
    json!({
        "id": c.id,
        "number": c.number,
        "code": c.code,
        "verify_path": format!("/verify/{}", c.code),
        "route_id": c.route_id,
        "person_name": c.person_name,
        "route_title": c.route_title,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "issuer": c.issuer,
        "hours": c.hours,
        "content": serde_json::from_str::<Value>(&c.content).unwrap_or(Value::String(c.content.clone())),
        "issued_at": c.issued_at,
        "revoked_at": c.revoked_at,
        "revoke_reason": c.revoke_reason,
    })
}

/// Notices in the platform and the letters sent to the person (one-time links are never kept).
async fn notifications(db: &impl ConnectionTrait, me: Uuid) -> anyhow::Result<Value> {
    let notices: Vec<Value> = notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(me))
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|n| {
            json!({
                "kind": n.kind,
                "channel": n.channel,
                "text": n.text,
                "link": n.link,
                "route_id": n.route_id,
                "needs_action": n.needs_action,
                "read_at": n.read_at,
                "created_at": n.created_at,
            })
        })
        .collect();
    let letters: Vec<Value> = mail_message::Entity::find()
        .filter(mail_message::Column::UserId.eq(me))
        .order_by_asc(mail_message::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "kind": m.kind,
                "to": m.to_address,
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "sent_at": m.sent_at,
                "created_at": m.created_at,
            })
        })
        .collect();
    Ok(json!({ "notifications": notices, "letters": letters }))
}

// ---- What a person reads ----

fn readme(now: DateTime<Utc>) -> String {
    format!(
        "ИОМ — открытая платформа индивидуальных образовательных маршрутов педагогов\n\
         Выгрузка ваших персональных данных\n\
         \n\
         Дата выгрузки: {} (UTC)\n\
         \n\
         Это ваша копия всех сведений о вас, которые хранит платформа. Она подготовлена по вашему\n\
         запросу в соответствии со статьёй 14 Федерального закона от 27.07.2006 № 152-ФЗ\n\
         «О персональных данных» (право субъекта на доступ к своим персональным данным).\n\
         Храните её бережно: в ней ваши персональные данные.\n\
         \n\
         Что внутри:\n\
         \n\
         export.pdf          — краткая сводка для чтения: профиль, роли, маршруты, результаты,\n\
                               записи на мероприятия, свидетельства, согласия и последние {PDF_LOG_ENTRIES}\n\
                               записей журнала доступа.\n\
         profile.json        — ваш профиль (ФИО, адрес эл. почты, телефон, место работы, должность,\n\
                               стаж, категория), сведения об учётной записи, входах и рассылках.\n\
         roles.json          — ваши роли и организации, в которых они действуют.\n\
         assignments.json    — закрепления: ваши тьютор, наставник, эксперт (с отметкой о вашем\n\
                               согласии тьютору) и педагоги, которых сопровождаете вы.\n\
         routes.json         — ваши маршруты: все пять разделов, задачи, мероприятия, продукты,\n\
                               заключение, согласования, история изменений, комментарии и список\n\
                               прикреплённых файлов (имена и размеры; сами файлы скачиваются\n\
                               в карточке маршрута).\n\
         diagnostics.json    — ваши результаты диагностик и найденные по ним дефициты.\n\
         enrolments.json     — ваши записи на мероприятия каталога.\n\
         certificates.json   — выданные вам свидетельства.\n\
         notifications.json  — уведомления в платформе и письма, отправленные вам.\n\
         access_log.json     — журнал доступа: кто, кроме вас, и в какой роли открывал ваши данные.\n\
         consents.json       — ваши согласия на обработку персональных данных.\n\
         \n\
         Другие люди упоминаются только по имени и только там, где они действовали в ваших\n\
         записях (тьютор, согласующий, эксперт, открывавший ваши данные); их контакты\n\
         в выгрузку не входят.\n\
         \n\
         Файлы JSON — в кодировке UTF-8; даты и время — в UTC (ISO 8601).\n",
        now.format("%d.%m.%Y %H:%M")
    )
}

fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.trim().is_empty())
        .map_or_else(|| "—".to_owned(), str::to_owned)
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%d.%m.%Y %H:%M").to_string()
}

fn pairs(rows: &[(&str, String)]) -> Table {
    let mut t = Table::new(&[1.0, 2.0]);
    for (k, v) in rows {
        t.row(vec![Cell::new(*k).bold(), Cell::new(v.clone())]);
    }
    t
}

/// The readable summary that goes into the archive as `export.pdf`.
fn summary(data: &Collected, now: DateTime<Utc>) -> Doc {
    let p = &data.me.person;
    let mut doc = Doc {
        title: "Выгрузка персональных данных".into(),
        blocks: Vec::new(),
        number_pages: false,
    };
    doc.push(
        Para::heading("Выгрузка персональных данных")
            .size(14.0)
            .align(Align::Center),
    );
    doc.push(
        Para::text(format!(
            "{} · сформирована {} (UTC) по вашему запросу (152-ФЗ, ст. 14). Полные данные — в файлах JSON этого архива.",
            p.full_name(),
            when(now)
        ))
        .align(Align::Center),
    );

    doc.push(Para::heading("Профиль"));
    doc.table(pairs(&[
        ("ФИО", p.full_name()),
        ("Эл. почта", p.email.clone()),
        ("Телефон", or_dash(p.phone.as_deref())),
        (
            "Место работы",
            or_dash(p.workplace.as_ref().map(|w| w.name.as_str())),
        ),
        ("Должность", or_dash(p.position.as_deref())),
        (
            "Педагогический стаж, лет",
            p.teaching_experience_years
                .map_or_else(|| "—".into(), |y| y.to_string()),
        ),
        (
            "Стаж в должности, лет",
            p.position_experience_years
                .map_or_else(|| "—".into(), |y| y.to_string()),
        ),
        (
            "Квалификационная категория",
            or_dash(p.qualification_category.as_deref()),
        ),
    ]));

    doc.push(Para::heading("Роли"));
    if data.me.roles.is_empty() {
        doc.push(Para::text("Ролей нет."));
    } else {
        let mut t =
            Table::new(&[1.0, 2.0]).header(vec![Cell::head("Роль"), Cell::head("Организация")]);
        for r in &data.me.roles {
            t.row(vec![
                Cell::new(r.role_title.clone()),
                Cell::new(or_dash(r.unit.as_ref().map(|u| u.name.as_str()))),
            ]);
        }
        doc.table(t);
    }
    if !data.me.my_staff.is_empty() {
        doc.push(Para::heading("Закреплённые за вами специалисты"));
        let mut t = Table::new(&[1.0, 2.0, 1.5]).header(vec![
            Cell::head("Кто"),
            Cell::head("ФИО"),
            Cell::head("Согласие"),
        ]);
        for a in &data.me.my_staff {
            t.row(vec![
                Cell::new(a.kind.title_ru()),
                Cell::new(a.person.full_name.clone()),
                Cell::new(a.consent_at.map_or_else(|| "—".into(), when)),
            ]);
        }
        doc.table(t);
    }

    doc.push(Para::heading("Маршруты"));
    if data.routes.is_empty() {
        doc.push(Para::text("Маршрутов нет."));
    }
    for r in &data.routes {
        let route = &r.route;
        doc.push(Para::text(format!("«{}»", route.title)).bold().before(6.0));
        let mut rows = vec![
            (
                "Период",
                format!("{} — {}", date(route.period_start), date(route.period_end)),
            ),
            ("Статус", route.status.title_ru().to_owned()),
            ("Организация", route.school.name.clone()),
        ];
        let tutors: Vec<String> = route.tutors.iter().map(|t| t.full_name.clone()).collect();
        if !tutors.is_empty() {
            rows.push(("Тьютор", tutors.join(", ")));
        }
        let deficits: Vec<String> = route
            .diagnostic
            .deficits
            .iter()
            .map(|d| d.title.clone())
            .collect();
        rows.push(("Дефициты", list_or_dash(&deficits)));
        let tasks: Vec<String> = route.target.tasks.iter().map(|t| t.title.clone()).collect();
        rows.push(("Задачи", list_or_dash(&tasks)));
        let activities: Vec<String> = route
            .activity
            .activities
            .iter()
            .map(|a| format!("{} ({})", a.name, a.status.title_ru().to_lowercase()))
            .collect();
        rows.push(("Мероприятия", list_or_dash(&activities)));
        let products: Vec<String> = route
            .reflective
            .products
            .iter()
            .map(|p| p.title.clone())
            .collect();
        rows.push(("Продукты", list_or_dash(&products)));
        rows.push((
            "Итог",
            route
                .reflective
                .conclusion
                .outcome
                .map_or_else(|| "—".into(), |o| o.title_ru().to_owned()),
        ));
        let approvals: Vec<String> = route
            .approvals
            .iter()
            .map(|a| format!("{}: {} ({})", a.role_title, a.person.full_name, when(a.at)))
            .collect();
        if !approvals.is_empty() {
            rows.push(("Согласования", approvals.join("\n")));
        }
        doc.table(pairs(&rows));
    }

    doc.push(Para::heading("Результаты диагностик"));
    if data.diagnostics.is_empty() {
        doc.push(Para::text("Результатов нет."));
    }
    for d in &data.diagnostics {
        let name = d["campaign"]["name"].as_str().unwrap_or("Диагностика");
        let deficits: Vec<String> = d["proposed_deficits"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["title"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let results = d["results"].as_array().map_or(0, Vec::len);
        doc.push(Para::text(format!(
            "{name}: результатов — {results}; дефициты: {}",
            if deficits.is_empty() {
                "нет".to_owned()
            } else {
                deficits.join("; ")
            }
        )));
    }

    doc.push(Para::heading("Записи на мероприятия"));
    if data.enrolments.is_empty() {
        doc.push(Para::text("Записей нет."));
    }
    for e in &data.enrolments {
        doc.push(Para::text(format!(
            "{} — {}",
            e["event"]["title"].as_str().unwrap_or("Мероприятие"),
            e["status_title"].as_str().unwrap_or("")
        )));
    }

    doc.push(Para::heading("Свидетельства"));
    if data.certificates.is_empty() {
        doc.push(Para::text("Свидетельств нет."));
    }
    for c in &data.certificates {
        doc.push(Para::text(format!(
            "№ {} от {} — «{}»{}",
            c.number,
            date(c.issued_at.date_naive()),
            c.route_title,
            if c.revoked_at.is_some() {
                " (отозвано)"
            } else {
                ""
            }
        )));
    }

    doc.push(Para::heading("Согласия на обработку персональных данных"));
    let consents = data.consents.as_array().map_or(0, Vec::len);
    doc.push(Para::text(if consents == 0 {
        "Записей о согласиях нет.".to_owned()
    } else {
        format!("Записей о согласиях: {consents} (подробно — в consents.json).")
    }));

    let total = data.access_log.len();
    doc.push(Para::heading(if total > PDF_LOG_ENTRIES {
        format!("Кто видел мои данные (последние {PDF_LOG_ENTRIES} записей из {total})")
    } else {
        "Кто видел мои данные".to_owned()
    }));
    if data.access_log.is_empty() {
        doc.push(Para::text("Никто, кроме вас, не открывал ваши данные."));
    } else {
        let mut t = Table::new(&[1.0, 2.0, 1.6]).header(vec![
            Cell::head("Когда"),
            Cell::head("Кто"),
            Cell::head("Что открыто"),
        ]);
        for e in data.access_log.iter().take(PDF_LOG_ENTRIES) {
            let basis = shared::privacy::basis_phrase(&e.basis);
            let who = if basis.is_empty() {
                e.actor_name.clone()
            } else {
                format!("{} ({basis})", e.actor_name)
            };
            t.row(vec![
                Cell::new(when(e.at)),
                Cell::new(who),
                Cell::new(shared::privacy::action_label(&e.action)),
            ]);
        }
        doc.table(t);
    }
    doc
}

fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join("\n")
    }
}

// ---- Housekeeping ----

/// Whether a stored file is a live export's archive (kept by the orphan sweep).
pub async fn keeps(db: &impl ConnectionTrait, key: &str) -> Result<bool, sea_orm::DbErr> {
    Ok(personal_export::Entity::find()
        .filter(personal_export::Column::StorageKey.eq(key))
        .filter(personal_export::Column::ExpiresAt.gt(db::now()))
        .one(db)
        .await?
        .is_some())
}

/// Deletes expired exports with their archives.
pub async fn sweep_expired(db: &impl ConnectionTrait, files_dir: &Path) -> anyhow::Result<()> {
    let expired = personal_export::Entity::find()
        .filter(personal_export::Column::ExpiresAt.lte(db::now()))
        .all(db)
        .await?;
    for r in expired {
        if let Some(key) = &r.storage_key
            && let Err(e) = std::fs::remove_file(files_dir.join(key))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(key, error = %e, "removing an expired export");
            continue;
        }
        personal_export::Entity::delete_by_id(r.id).exec(db).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_to_other_people_keep_their_names_only() {
        let me = Uuid::now_v7();
        let other = Uuid::now_v7();
        let mut v = json!({
            "teacher": { "id": me, "full_name": "Я", "email": "me@x" },
            "tutors": [{ "id": other, "full_name": "Тьютор", "email": "t@x" }],
            "information": { "profile": { "email": "me@x" } },
        });
        scrub(&mut v, me);
        assert_eq!(v["teacher"]["email"], "me@x");
        assert_eq!(v["tutors"][0]["full_name"], "Тьютор");
        assert!(v["tutors"][0].get("email").is_none());
        assert_eq!(v["information"]["profile"]["email"], "me@x");
    }

    #[test]
    fn the_readme_names_every_file_of_the_archive() {
        let text = readme(Utc::now());
        for name in [
            "export.pdf",
            "profile.json",
            "roles.json",
            "assignments.json",
            "routes.json",
            "diagnostics.json",
            "enrolments.json",
            "certificates.json",
            "notifications.json",
            "access_log.json",
            "consents.json",
        ] {
            assert!(text.contains(name), "{name}");
        }
        assert!(text.contains("152-ФЗ"));
    }
}

//! Importing a campaign's results from CSV or XLSX as testing platforms export them: one row per
//! person with a column per competency code («wide»), or one row per person and competency
//! («long»). A preview with per-row errors, then an all-or-nothing commit. People are matched by
//! e-mail or by their external id; rows nobody matches are reported (and may be skipped).

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use shared::diagnostics::resolve_level;
use shared::dto::{
    CellError, ImportLayout, MatchBy, ResultSource, ResultsImportPreview, ResultsImportResult,
    ResultsImportRow, WebhookEvent,
};
use shared::{CompetencyLevel, DiagnosticKind, UnitPath};
use uuid::Uuid;

use super::results::{CleanResult, PersonWrite, write_people};
use super::rollup;
use super::{Campaign, Framework, load_campaign, load_framework, ranges, tabular_key};
use crate::auth::Principal;
use crate::db::entities::{diagnostic_import, user};
use crate::db::{self, audit, units};
use crate::error::{AppError, AppResult};
use crate::services::people;
use crate::state::AppState;
use crate::tabular::{self, Table};

/// Largest file, in people.
const MAX_PEOPLE: usize = 20_000;

/// One value as read from the file, before it is checked.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RawValue {
    row: usize,
    /// The column it came from (wide) or the competency cell (long), for messages.
    column: String,
    code: String,
    level: Option<String>,
    score: Option<String>,
    comment: Option<String>,
}

/// A person's values as read from the file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RawPerson {
    row: usize,
    key: String,
    values: Vec<RawValue>,
    /// Read problems found while parsing (a person repeated in a wide file).
    problems: Vec<(String, String)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Stored {
    layout: ImportLayout,
    people: Vec<RawPerson>,
}

const EMAIL: &[&str] = &[
    "email",
    "e-mail",
    "e mail",
    "эл почта",
    "электронная почта",
    "адрес электронной почты",
    "почта",
    "логин",
];
const EXTERNAL: &[&str] = &[
    "внешний id",
    "внешний идентификатор",
    "идентификатор",
    "id",
    "id участника",
    "код участника",
    "external id",
];
const COMPETENCY: &[&str] = &["компетенция", "код компетенции", "код", "competency"];
const LEVEL: &[&str] = &["уровень", "уровень сформированности", "level"];
const SCORE: &[&str] = &["балл", "баллы", "результат", "процент", "score", "%"];
const COMMENT: &[&str] = &["комментарий", "примечание", "comment"];
/// Columns a testing platform adds that are not competencies.
const INFO: &[&str] = &[
    "фио",
    "ф и о",
    "фамилия",
    "имя",
    "отчество",
    "оо",
    "школа",
    "организация",
    "образовательная организация",
    "муниципалитет",
    "должность",
    "предмет",
    "дата",
    "n",
    "номер",
    "п п",
];

fn key_column(table: &Table, by: MatchBy) -> Option<usize> {
    match by {
        MatchBy::Email => table.column(EMAIL),
        MatchBy::ExternalId => table.column(EXTERNAL),
    }
}

fn normal_key(by: MatchBy, key: &str) -> String {
    match by {
        MatchBy::Email => shared::text::normalize_email(key),
        MatchBy::ExternalId => key.trim().to_owned(),
    }
}

/// Reads the table into people's values; file-level problems are returned as messages.
fn read(table: &Table, by: MatchBy, fw: &Framework) -> Result<Stored, Vec<String>> {
    let Some(key_col) = key_column(table, by) else {
        return Err(vec![match by {
            MatchBy::Email => "Нет столбца с адресом электронной почты («Email»).".into(),
            MatchBy::ExternalId => {
                "Нет столбца с внешним идентификатором («Внешний ID» или «Идентификатор»).".into()
            }
        }]);
    };
    let codes = fw.by_code();
    let cell = |r: &Vec<String>, i: Option<usize>| {
        i.and_then(|i| r.get(i))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let comp_col = table.column(COMPETENCY);
    let level_col = table.column(LEVEL);
    let score_col = table.column(SCORE);
    let mut by_key: Vec<RawPerson> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    if let (Some(cc), true) = (comp_col, level_col.is_some() || score_col.is_some()) {
        let comment_col = table.column(COMMENT);
        for (row, r) in &table.rows {
            let key = cell(r, Some(key_col)).unwrap_or_default();
            let nk = normal_key(by, &key);
            let i = *index.entry(nk).or_insert_with(|| {
                by_key.push(RawPerson {
                    row: *row,
                    key: key.clone(),
                    values: Vec::new(),
                    problems: Vec::new(),
                });
                by_key.len() - 1
            });
            by_key[i].values.push(RawValue {
                row: *row,
                column: table.headers[cc].clone(),
                code: cell(r, Some(cc)).unwrap_or_default(),
                level: cell(r, level_col),
                score: cell(r, score_col),
                comment: cell(r, comment_col),
            });
        }
        return Ok(Stored {
            layout: ImportLayout::Long,
            people: by_key,
        });
    }
    // Wide: a column per competency code; any other column that looks like a code is unknown.
    let mut comp_cols: Vec<usize> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for (i, h) in table.headers.iter().enumerate() {
        if i == key_col {
            continue;
        }
        let k = tabular_key(h);
        if codes.contains_key(&k) {
            comp_cols.push(i);
        } else if !k.is_empty()
            && !INFO.contains(&k.as_str())
            && !EMAIL.contains(&k.as_str())
            && !EXTERNAL.contains(&k.as_str())
            && k.chars().any(|c| c.is_ascii_digit())
        {
            unknown.push(h.clone());
        }
    }
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!(
            "Столбцы с неизвестными кодами компетенций: {}. Коды должны совпадать с рамкой диагностики.",
            unknown.join(", ")
        ));
    }
    if comp_cols.is_empty() {
        problems.push(
            "Не найдено ни одного столбца с кодом компетенции рамки (например, «П.1»), и нет столбцов «Компетенция» и «Уровень» или «Балл»."
                .into(),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for (row, r) in &table.rows {
        let key = cell(r, Some(key_col)).unwrap_or_default();
        let nk = normal_key(by, &key);
        let values: Vec<RawValue> = comp_cols
            .iter()
            .filter_map(|&i| {
                let v = cell(r, Some(i))?;
                let is_number = v.replace(',', ".").parse::<f64>().is_ok();
                Some(RawValue {
                    row: *row,
                    column: table.headers[i].clone(),
                    code: table.headers[i].clone(),
                    level: (!is_number).then(|| v.clone()),
                    score: is_number.then_some(v),
                    comment: None,
                })
            })
            .collect();
        if let Some(&first) = index.get(&nk).filter(|_| !nk.is_empty()) {
            let p = &mut by_key[first];
            p.problems.push((
                table.headers[key_col].clone(),
                format!("Педагог повторяется (строка {row}): оставьте одну строку."),
            ));
            continue;
        }
        index.insert(nk, by_key.len());
        by_key.push(RawPerson {
            row: *row,
            key,
            values,
            problems: Vec::new(),
        });
    }
    Ok(Stored {
        layout: ImportLayout::Wide,
        people: by_key,
    })
}

fn parse_level(text: &str) -> Option<CompetencyLevel> {
    match tabular::header_key(text).as_str() {
        "низкий" | "н" | "low" | "недостаточный" | "дефицитный" => {
            Some(CompetencyLevel::Low)
        }
        "средний" | "с" | "medium" | "базовый" | "достаточный" => {
            Some(CompetencyLevel::Medium)
        }
        "высокий" | "в" | "high" | "повышенный" => Some(CompetencyLevel::High),
        _ => None,
    }
}

/// A person checked against the database.
struct Checked {
    raw: RawPerson,
    person: Option<user::Model>,
    place: Option<UnitPath>,
    results: Vec<CleanResult>,
    deficits: usize,
    unmatched: bool,
    errors: Vec<CellError>,
}

fn err(column: &str, message: impl Into<String>) -> CellError {
    CellError {
        column: column.to_owned(),
        message: message.into(),
    }
}

async fn check(
    db: &impl ConnectionTrait,
    campaign: &Campaign,
    fw: &Framework,
    by: MatchBy,
    stored: Stored,
) -> AppResult<Vec<Checked>> {
    let keys: Vec<String> = stored
        .people
        .iter()
        .map(|p| normal_key(by, &p.key))
        .filter(|k| !k.is_empty())
        .collect();
    let mut found: HashMap<String, user::Model> = HashMap::new();
    for chunk in keys.chunks(500) {
        let q = user::Entity::find();
        let q = match by {
            MatchBy::Email => q.filter(user::Column::Email.is_in(chunk.iter().cloned())),
            MatchBy::ExternalId => q.filter(user::Column::ExternalId.is_in(chunk.iter().cloned())),
        };
        for u in q.all(db).await? {
            let k = match by {
                MatchBy::Email => u.email.clone(),
                MatchBy::ExternalId => u.external_id.clone().unwrap_or_default(),
            };
            found.insert(k, u);
        }
    }
    let places: HashMap<Uuid, UnitPath> = units::in_region(db, campaign.organiser_path.region)
        .await?
        .iter()
        .filter_map(|u| Some((u.id, units::path(u).ok()?)))
        .collect();
    let codes = fw.by_code();
    let key_header = match by {
        MatchBy::Email => "Email",
        MatchBy::ExternalId => "Внешний ID",
    };
    let mut out = Vec::with_capacity(stored.people.len());
    for raw in stored.people {
        let mut errors: Vec<CellError> = raw
            .problems
            .iter()
            .map(|(c, m)| err(c, m.clone()))
            .collect();
        let nk = normal_key(by, &raw.key);
        let mut unmatched = false;
        let person = if nk.is_empty() {
            errors.push(err(key_header, "Не указан педагог."));
            None
        } else {
            match found.get(&nk) {
                None => {
                    unmatched = true;
                    None
                }
                Some(u) => {
                    let place = u.workplace_id.and_then(|w| places.get(&w)).copied();
                    if campaign.covers(place.as_ref()) {
                        Some(u.clone())
                    } else {
                        unmatched = true;
                        None
                    }
                }
            }
        };
        let place = person
            .as_ref()
            .and_then(|u| u.workplace_id)
            .and_then(|w| places.get(&w))
            .copied();
        let mut results: Vec<CleanResult> = Vec::new();
        let mut seen: HashSet<Uuid> = HashSet::new();
        for v in &raw.values {
            let Some(c) = codes.get(&tabular_key(&v.code)) else {
                errors.push(err(
                    &v.column,
                    format!(
                        "Строка {}: неизвестный код компетенции «{}».",
                        v.row, v.code
                    ),
                ));
                continue;
            };
            let level = match v.level.as_deref() {
                None => None,
                Some(t) => match parse_level(t) {
                    Some(l) => Some(l),
                    None => {
                        errors.push(err(
                            &v.column,
                            format!(
                                "Строка {}: уровень «{t}» не распознан (низкий, средний, высокий).",
                                v.row
                            ),
                        ));
                        continue;
                    }
                },
            };
            let score = match v.score.as_deref() {
                None => None,
                Some(t) => match t.replace(',', ".").trim_end_matches('%').parse::<f64>() {
                    Ok(s) if s.is_finite() => Some(s),
                    _ => {
                        errors.push(err(
                            &v.column,
                            format!("Строка {}: балл «{t}» не число.", v.row),
                        ));
                        continue;
                    }
                },
            };
            match resolve_level(level, score, &ranges(c)) {
                Ok(level) => {
                    if !seen.insert(c.id) {
                        errors.push(err(
                            &v.column,
                            format!(
                                "Строка {}: результат по компетенции {} для этого педагога повторяется.",
                                v.row, c.code
                            ),
                        ));
                        continue;
                    }
                    results.push(CleanResult {
                        competency_id: c.id,
                        level,
                        score,
                        comment: v.comment.clone(),
                    });
                }
                Err(m) => errors.push(err(&v.column, format!("Строка {}: {m}", v.row))),
            }
        }
        if results.is_empty() && errors.is_empty() && !unmatched {
            errors.push(err(key_header, "В строке нет результатов."));
        }
        let deficits = results
            .iter()
            .filter(|r| fw.rule.is_deficit(r.level, r.score))
            .count();
        out.push(Checked {
            raw,
            person,
            place,
            results,
            deficits,
            unmatched,
            errors,
        });
    }
    Ok(out)
}

fn preview_of(
    import: &diagnostic_import::Model,
    layout: ImportLayout,
    by: MatchBy,
    checked: &[Checked],
) -> ResultsImportPreview {
    let rows: Vec<ResultsImportRow> = checked
        .iter()
        .map(|c| ResultsImportRow {
            row: c.raw.row,
            key: c.raw.key.clone(),
            person: c.person.as_ref().map(people::to_ref),
            results: c.results.len(),
            deficits: c.deficits,
            unmatched: c.unmatched,
            errors: c.errors.clone(),
        })
        .collect();
    ResultsImportPreview {
        id: import.id,
        campaign_id: import.campaign_id,
        file_name: import.file_name.clone(),
        layout,
        match_by: by,
        people: rows.iter().filter(|r| r.person.is_some()).count(),
        results: rows
            .iter()
            .filter(|r| r.person.is_some())
            .map(|r| r.results)
            .sum(),
        errors: rows.iter().filter(|r| !r.errors.is_empty()).count(),
        unmatched: rows.iter().filter(|r| r.unmatched).count(),
        rows,
    }
}

fn may_import(principal: &Principal, c: &Campaign) -> AppResult<()> {
    if !c.can_manage(principal) {
        return Err(AppError::forbidden(
            "Загружать результаты диагностики могут её организаторы.",
        ));
    }
    if c.kind == DiagnosticKind::SelfAssessment {
        return Err(AppError::conflict(
            "self_assessment_only",
            "Результаты самооценки заполняют сами педагоги; загрузка файла для неё не предусмотрена.",
        ));
    }
    Ok(())
}

/// Whether the caller may upload results to the campaign: asked before the file is read, and
/// again by [`preview`].
pub async fn authorize(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
) -> AppResult<()> {
    let c = load_campaign(&state.db, principal, campaign_id).await?;
    may_import(principal, &c)
}

/// Reads and checks a file; keeps it for the commit; answers the preview.
pub async fn preview(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    file_name: &str,
    by: MatchBy,
    bytes: &[u8],
) -> AppResult<ResultsImportPreview> {
    let c = load_campaign(&state.db, principal, campaign_id).await?;
    may_import(principal, &c)?;
    let fw = load_framework(&state.db, c.model.framework_id).await?;
    let table = tabular::read_off_thread(bytes).await?;
    let stored = read(&table, by, &fw).map_err(|problems| AppError::Validation {
        detail: Some("Файл не подходит для загрузки результатов диагностики.".into()),
        errors: [("file".to_owned(), problems)].into_iter().collect(),
    })?;
    if stored.people.is_empty() {
        return Err(AppError::invalid(
            "file",
            "В файле нет строк с результатами.",
        ));
    }
    if stored.people.len() > MAX_PEOPLE {
        return Err(AppError::invalid(
            "file",
            "Не более 20 000 педагогов за одну загрузку.",
        ));
    }
    let layout = stored.layout;
    let t = db::now();
    let model = diagnostic_import::ActiveModel {
        id: Set(db::new_id()),
        campaign_id: Set(campaign_id),
        created_by: Set(principal.id()),
        file_name: Set(file_name.chars().take(200).collect()),
        match_by: Set(by.as_str().into()),
        status: Set("preview".into()),
        rows: Set(serde_json::to_string(&stored).map_err(|e| AppError::Unexpected(e.into()))?),
        result: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&state.db)
    .await?;
    let checked = check(&state.db, &c, &fw, by, stored).await?;
    Ok(preview_of(&model, layout, by, &checked))
}

async fn load_import(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<(diagnostic_import::Model, Stored, MatchBy)> {
    let import = diagnostic_import::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|i| i.created_by == principal.id())
        .ok_or(AppError::NotFound)?;
    let stored: Stored =
        serde_json::from_str(&import.rows).map_err(|e| AppError::Unexpected(e.into()))?;
    let by = db::parse_code(&import.match_by)?;
    Ok((import, stored, by))
}

/// The preview again, checked anew (people may have been registered since).
pub async fn get(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<ResultsImportPreview> {
    let (import, stored, by) = load_import(&state.db, principal, id).await?;
    let c = load_campaign(&state.db, principal, import.campaign_id).await?;
    let fw = load_framework(&state.db, c.model.framework_id).await?;
    let layout = stored.layout;
    let checked = check(&state.db, &c, &fw, by, stored).await?;
    Ok(preview_of(&import, layout, by, &checked))
}

/// Writes every person's results, or nothing when any row has an error. Unmatched rows stop
/// the commit unless the caller chose to skip them.
pub async fn commit(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    skip_unmatched: bool,
) -> AppResult<ResultsImportResult> {
    let txn = db::begin_write(&state.db).await?;
    let (import, stored, by) = load_import(&txn, principal, id).await?;
    let c = load_campaign(&txn, principal, import.campaign_id).await?;
    may_import(principal, &c)?;
    if import.status != "preview" {
        return Err(AppError::conflict(
            "import_committed",
            "Эта загрузка уже выполнена.",
        ));
    }
    let fw = load_framework(&txn, c.model.framework_id).await?;
    let checked = check(&txn, &c, &fw, by, stored).await?;
    let rows_list = |pred: &dyn Fn(&Checked) -> bool| {
        checked
            .iter()
            .filter(|c| pred(c))
            .take(10)
            .map(|c| c.raw.row.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if checked.iter().any(|c| !c.errors.is_empty()) {
        return Err(AppError::conflict(
            "import_has_errors",
            format!(
                "В файле есть ошибки (строки {}): исправьте их и загрузите файл снова. Ничего не изменено.",
                rows_list(&|c| !c.errors.is_empty())
            ),
        ));
    }
    if !skip_unmatched && checked.iter().any(|c| c.unmatched) {
        return Err(AppError::conflict(
            "import_has_unmatched",
            format!(
                "Не найдены педагоги из строк {}: зарегистрируйте их или загрузите без этих строк. Ничего не изменено.",
                rows_list(&|c| c.unmatched)
            ),
        ));
    }
    let mut people = 0;
    let mut results = 0;
    let mut unmatched = Vec::new();
    let mut writes = Vec::with_capacity(checked.len());
    for ch in &checked {
        match &ch.person {
            Some(p) => {
                writes.push(PersonWrite {
                    person: p.id,
                    place: ch.place,
                    results: &ch.results,
                });
                people += 1;
                results += ch.results.len();
            }
            None => unmatched.push(ch.raw.key.clone()),
        }
    }
    let touched = write_people(
        &txn,
        c.model.id,
        &writes,
        ResultSource::Import,
        principal.id(),
    )
    .await?;
    rollup::recompute(&txn, c.model.id, &fw.rule, touched).await?;
    let result = ResultsImportResult {
        people,
        results,
        unmatched,
    };
    let mut am = import.into_active_model();
    am.status = Set("committed".into());
    am.result = Set(Some(
        serde_json::to_string(&result).map_err(|e| AppError::Unexpected(e.into()))?,
    ));
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "diagnostic.imported",
            "diagnostic_campaign",
            c.model.id,
            serde_json::json!({ "import_id": id, "people": people, "results": results }),
        ),
    )
    .await?;
    crate::services::events::record(
        &txn,
        crate::services::events::Event {
            kind: shared::events::EventKind::DiagnosticImported,
            actor_id: Some(principal.id()),
            route_id: None,
            person_id: None,
            unit_id: Some(c.model.organiser_id),
            payload: serde_json::json!({
                "campaign_id": c.model.id, "import_id": id, "people": people, "results": results,
            }),
        },
    )
    .await?;
    crate::services::integration::webhooks::emit(
        &txn,
        WebhookEvent::DiagnosticImported,
        &c.unit_path,
        serde_json::json!({
            "campaign": { "id": c.model.id, "name": c.model.name, "kind": c.kind, "date": c.model.date },
            "people": people,
            "results": results,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(result)
}

//! List exports (routes in scope; deficits of the people in them; events with attendance, see
//! [`super::attendance`]) as CSV or XLSX.
//!
//! Rows are read a page at a time by keyset (route id), only the columns needed, and checked
//! against the one policy row by row like the route list. CSV goes out as each page is ready;
//! XLSX is written in constant-memory mode (rows spill to a temporary file) and then streamed
//! from disk, so a region-size export never sits in memory whole.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use shared::DeficitState;
use shared::access::RouteFacts;
use shared::dto::RouteFilter;
use shared::dto::catalogue::EventFilter;
use shared::route::{RouteStatus, Stage};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{competency, org_unit, route, route_deficit, user};
use crate::db::{self, assignments, units, users};
use crate::error::{AppError, AppResult};
use crate::services::route::list;

/// Routes read per query.
pub const PAGE: u64 = 500;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Routes,
    Deficits,
    Events,
}

/// An export asked for: the list and its filters.
#[derive(Debug, Clone)]
pub enum Export {
    Routes(RouteFilter),
    Deficits(RouteFilter),
    Events(EventFilter),
}

impl Export {
    /// An export holds the whole list, so it reads no page; yet the filters it shares with the
    /// list are refused past the same documented bounds.
    pub fn check_bounds(&self) -> crate::error::AppResult<()> {
        let (offset, limit, max) = match self {
            Export::Routes(f) | Export::Deficits(f) => (f.offset, f.limit, 200),
            Export::Events(f) => (f.offset, f.limit, 500),
        };
        crate::services::page_bounds(offset, limit, 50, max).map(|_| ())
    }

    pub fn kind(&self) -> ExportKind {
        match self {
            Export::Routes(_) => ExportKind::Routes,
            Export::Deficits(_) => ExportKind::Deficits,
            Export::Events(_) => ExportKind::Events,
        }
    }
}

/// The number of data rows of an export, counted before it streams (the `X-Total-Rows`
/// header; the SPA's progress bar). The SQL scope is the policy's, so this is what arrives
/// unless the data changes meanwhile.
pub async fn count(
    db: &DatabaseConnection,
    principal: &Principal,
    export: &Export,
) -> AppResult<u64> {
    Ok(match export {
        Export::Routes(f) => {
            route::Entity::find()
                .filter(list::scope(principal))
                .filter(list::filters(f, principal))
                .count(db)
                .await?
        }
        Export::Deficits(f) => {
            route_deficit::Entity::find()
                .filter(
                    route_deficit::Column::RouteId.in_subquery(
                        route::Entity::find()
                            .select_only()
                            .column(route::Column::Id)
                            .filter(list::scope(principal))
                            .filter(list::filters(f, principal))
                            .into_query(),
                    ),
                )
                .count(db)
                .await?
        }
        Export::Events(f) => super::attendance::count(db, principal, f).await?,
    })
}

/// Reads any export a page at a time.
pub enum Source<'a> {
    Routes(Pager<'a>),
    Events(super::attendance::Pager<'a, DatabaseConnection>),
}

impl<'a> Source<'a> {
    pub async fn open(
        db: &'a DatabaseConnection,
        principal: &'a Principal,
        export: &'a Export,
    ) -> AppResult<Self> {
        Ok(match export {
            Export::Routes(f) => {
                Source::Routes(Pager::new(db, principal, f, ExportKind::Routes).await?)
            }
            Export::Deficits(f) => {
                Source::Routes(Pager::new(db, principal, f, ExportKind::Deficits).await?)
            }
            Export::Events(f) => Source::Events(super::attendance::Pager::new(db, principal, f)),
        })
    }

    /// The next page of rows (possibly empty); `None` at the end.
    pub async fn next_page(&mut self) -> AppResult<Option<Vec<Vec<String>>>> {
        match self {
            Source::Routes(p) => p.next_page().await,
            Source::Events(p) => p.next_page().await,
        }
    }
}

impl ExportKind {
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            ExportKind::Routes => &[
                "Педагог",
                "E-mail",
                "Образовательная организация",
                "Муниципалитет",
                "Маршрут",
                "Тематический трек",
                "Статус",
                "Этап",
                "Начало",
                "Окончание",
                "Продлён до",
                "Завершён",
                "Обновлён",
            ],
            ExportKind::Deficits => &[
                "Педагог",
                "E-mail",
                "Образовательная организация",
                "Муниципалитет",
                "Маршрут",
                "Статус маршрута",
                "Дефицит",
                "Компетенция",
                "Состояние",
                "Подтверждён",
            ],
            ExportKind::Events => super::attendance::HEADERS,
        }
    }

    pub fn file_stem(self) -> &'static str {
        match self {
            ExportKind::Routes => "Маршруты",
            ExportKind::Deficits => "Дефициты",
            ExportKind::Events => "Мероприятия_и_участие",
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct RouteRow {
    id: Uuid,
    teacher_id: Uuid,
    school_id: Uuid,
    title: String,
    track: Option<String>,
    period_start: chrono::NaiveDate,
    period_end: chrono::NaiveDate,
    original_end: Option<chrono::NaiveDate>,
    status: String,
    stage: String,
    completed_at: Option<chrono::DateTime<chrono::Utc>>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// Refuses those who manage no unit (a teacher exports nothing; their routes are in their
/// cabinet).
pub fn check(principal: &Principal) -> AppResult<()> {
    if principal.actor.can_export_lists() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Выгрузка списков доступна руководителям и координаторам.",
        ))
    }
}

/// Reads the export a page at a time.
pub struct Pager<'a> {
    db: &'a DatabaseConnection,
    principal: &'a Principal,
    filter: &'a RouteFilter,
    kind: ExportKind,
    my_links: Vec<crate::db::entities::assignment::Model>,
    unit_cache: HashMap<Uuid, org_unit::Model>,
    after: Option<Uuid>,
    done: bool,
}

impl<'a> Pager<'a> {
    pub async fn new(
        db: &'a DatabaseConnection,
        principal: &'a Principal,
        filter: &'a RouteFilter,
        kind: ExportKind,
    ) -> AppResult<Self> {
        Ok(Self {
            db,
            principal,
            filter,
            kind,
            my_links: assignments::for_staff(db, principal.id()).await?,
            unit_cache: HashMap::new(),
            after: None,
            done: false,
        })
    }

    /// The next page of rows (possibly empty when the policy hid all of it); `None` at the end.
    pub async fn next_page(&mut self) -> AppResult<Option<Vec<Vec<String>>>> {
        if self.done {
            return Ok(None);
        }
        let (db, principal, filter, kind) = (self.db, self.principal, self.filter, self.kind);
        let my_links = &self.my_links;
        let unit_cache = &mut self.unit_cache;
        let mut q = route::Entity::find()
            .select_only()
            .columns([
                route::Column::Id,
                route::Column::TeacherId,
                route::Column::SchoolId,
                route::Column::Title,
                route::Column::Track,
                route::Column::PeriodStart,
                route::Column::PeriodEnd,
                route::Column::OriginalEnd,
                route::Column::Status,
                route::Column::Stage,
                route::Column::CompletedAt,
                route::Column::UpdatedAt,
            ])
            .filter(list::scope(principal))
            .filter(list::filters(filter, principal))
            .order_by_asc(route::Column::Id)
            .limit(PAGE);
        if let Some(a) = self.after {
            q = q.filter(route::Column::Id.gt(a));
        }
        let rows: Vec<RouteRow> = q.into_model::<RouteRow>().all(db).await?;
        let Some(last) = rows.last() else {
            self.done = true;
            return Ok(None);
        };
        self.after = Some(last.id);
        self.done = (rows.len() as u64) < PAGE;

        // Schools and their municipalities, cached across pages (a region has few).
        let missing: Vec<Uuid> = rows
            .iter()
            .map(|r| r.school_id)
            .filter(|id| !unit_cache.contains_key(id))
            .collect();
        for u in units::find_many(db, &missing).await? {
            unit_cache.insert(u.id, u);
        }
        let munis: Vec<Uuid> = unit_cache
            .values()
            .filter_map(|u| u.municipality_id)
            .filter(|id| !unit_cache.contains_key(id))
            .collect();
        for u in units::find_many(db, &munis).await? {
            unit_cache.insert(u.id, u);
        }
        let teacher_ids: Vec<Uuid> = rows.iter().map(|r| r.teacher_id).collect();
        let teachers: HashMap<Uuid, user::Model> = users::find_many(db, &teacher_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();

        let mut visible = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(school) = unit_cache.get(&r.school_id) else {
                continue;
            };
            let links: Vec<_> = my_links
                .iter()
                .filter(|a| a.teacher_id == r.teacher_id)
                .cloned()
                .collect();
            let status: RouteStatus = db::parse_code(&r.status)?;
            let facts = RouteFacts {
                owner: r.teacher_id,
                school: units::path(school)?,
                status,
                links: assignments::links_from(&links),
            };
            if principal.actor.can_read_route(&facts) {
                visible.push((r, status));
            }
        }

        let cells = |r: &RouteRow| {
            let school = unit_cache.get(&r.school_id);
            let muni = school
                .and_then(|s| s.municipality_id)
                .and_then(|m| unit_cache.get(&m))
                .map(|m| m.name.clone())
                .unwrap_or_default();
            let teacher = teachers.get(&r.teacher_id);
            (
                teacher
                    .map(|t| {
                        shared::text::full_name(&t.surname, &t.first_name, t.patronymic.as_deref())
                    })
                    .unwrap_or_default(),
                teacher.map(|t| t.email.clone()).unwrap_or_default(),
                school.map(|s| s.name.clone()).unwrap_or_default(),
                muni,
            )
        };
        let mut out = Vec::new();
        match kind {
            ExportKind::Routes => {
                for (r, status) in &visible {
                    let (name, email, school, muni) = cells(r);
                    let stage = r
                        .stage
                        .parse::<Stage>()
                        .map(|s| s.title_ru().to_owned())
                        .unwrap_or_default();
                    out.push(vec![
                        name,
                        email,
                        school,
                        muni,
                        r.title.clone(),
                        r.track.clone().unwrap_or_default(),
                        status.title_ru().to_owned(),
                        stage,
                        date(r.period_start),
                        date(r.period_end),
                        r.original_end
                            .map(|_| date(r.period_end))
                            .unwrap_or_default(),
                        r.completed_at
                            .map(|d| date(d.date_naive()))
                            .unwrap_or_default(),
                        r.updated_at.format("%d.%m.%Y %H:%M").to_string(),
                    ]);
                }
            }
            ExportKind::Events => {}
            ExportKind::Deficits => {
                let ids: Vec<Uuid> = visible.iter().map(|(r, _)| r.id).collect();
                let deficits = if ids.is_empty() {
                    Vec::new()
                } else {
                    route_deficit::Entity::find()
                        .filter(route_deficit::Column::RouteId.is_in(ids))
                        .order_by_asc(route_deficit::Column::RouteId)
                        .order_by_asc(route_deficit::Column::Position)
                        .all(db)
                        .await?
                };
                let comp_ids: Vec<Uuid> = deficits.iter().filter_map(|d| d.competency_id).collect();
                let comps: HashMap<Uuid, String> = if comp_ids.is_empty() {
                    HashMap::new()
                } else {
                    competency::Entity::find()
                        .filter(competency::Column::Id.is_in(comp_ids))
                        .all(db)
                        .await?
                        .into_iter()
                        .map(|c| (c.id, c.name))
                        .collect()
                };
                let by_route: HashMap<Uuid, (&RouteRow, RouteStatus)> =
                    visible.iter().map(|(r, s)| (r.id, (r, *s))).collect();
                for d in &deficits {
                    let Some((r, status)) = by_route.get(&d.route_id) else {
                        continue;
                    };
                    let (name, email, school, muni) = cells(r);
                    let state = d
                        .state
                        .parse::<DeficitState>()
                        .map(|s| s.title_ru().to_owned())
                        .unwrap_or_default();
                    out.push(vec![
                        name,
                        email,
                        school,
                        muni,
                        r.title.clone(),
                        status.title_ru().to_owned(),
                        d.title.clone(),
                        d.competency_id
                            .and_then(|c| comps.get(&c).cloned())
                            .unwrap_or_default(),
                        state,
                        if d.confirmed { "да" } else { "нет" }.to_owned(),
                    ]);
                }
            }
        }
        Ok(Some(out))
    }
}

pub(crate) fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// CSV as Russian Excel opens it: UTF-8 with a byte-order mark, `;` between fields.
pub fn csv_chunk(rows: &[Vec<String>], with_bom_and_header: Option<&[&str]>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(headers) = with_bom_and_header {
        buf.extend_from_slice("\u{feff}".as_bytes());
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut buf);
        let _ = w.write_record(headers);
        let _ = w.flush();
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(&mut buf);
    for r in rows {
        // Writing to memory cannot fail.
        for c in r {
            let _ = w.write_field(csv_cell(c).as_bytes());
        }
        let _ = w.write_record(None::<&[u8]>);
    }
    let _ = w.flush();
    drop(w);
    buf
}

/// A cell as a spreadsheet may safely open it: text that a spreadsheet would take for a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return — a person's name or a
/// route's title is anyone's input) gets a leading `'`, which Excel and LibreOffice show as
/// text. Real numbers (`-5`, `-3,5`) are left as they are.
pub fn csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// `-5`, `+12`, `-3.5`, `-3,5`: a sign, digits, at most one decimal separator and digits.
fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (whole, fraction) = match digits.split_once(['.', ',']) {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// Writes the whole export as XLSX into `file` (constant memory). Every value goes in with
/// `write_string`, which stores text and never a formula, whatever it starts with.
pub async fn xlsx(
    db: &DatabaseConnection,
    principal: &Principal,
    export: &Export,
    file: std::fs::File,
) -> AppResult<u64> {
    let kind = export.kind();
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::Unexpected(e.into());
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(xl)?;
    sheet.set_name(kind.file_stem()).map_err(xl)?;
    for (c, h) in kind.headers().iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xl)?;
        sheet.set_column_width(c as u16, 22).map_err(xl)?;
    }
    let mut row: u32 = 1;
    let mut pager = Source::open(db, principal, export).await?;
    while let Some(rows) = pager.next_page().await? {
        for r in rows {
            for (c, v) in r.iter().enumerate() {
                sheet.write_string(row, c as u16, v).map_err(xl)?;
            }
            row += 1;
        }
    }
    let total = u64::from(row - 1);
    tokio::task::spawn_blocking(move || workbook.save_to_writer(file))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?
        .map_err(xl)?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_neutralised() {
        for risky in [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
            "-",
        ] {
            assert_eq!(csv_cell(risky), format!("'{risky}"), "{risky:?}");
        }
    }

    #[test]
    fn numbers_and_ordinary_text_stay_as_they_are() {
        for plain in [
            "-5",
            "+12",
            "-3.5",
            "-3,5",
            "42",
            "Иванова",
            "",
            "a=b",
            " =x",
        ] {
            assert_eq!(csv_cell(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn a_csv_chunk_neutralises_every_cell() {
        let rows = vec![vec!["=1+1".to_owned(), "-7".to_owned()]];
        let text = String::from_utf8(csv_chunk(&rows, None)).unwrap();
        assert_eq!(text, "'=1+1;-7\n");
    }
}

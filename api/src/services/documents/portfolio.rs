//! The teacher's attestation portfolio (rules in [`shared::portfolio`]): built from what the
//! platform already holds — completed routes with their conclusions and dynamics, certificates,
//! products that passed the expert evaluation, catalogue events attended, public final events,
//! mentoring received and given — and laid out as a [`Doc`] with a section per criterion, the
//! hours of further training per period and a QR code for each certificate. The school's
//! summary (one row per teacher) is a workbook for the coordinator.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::catalogue::{EnrolmentStatus, EventKind};
use shared::dto::people::AssignmentKind;
use shared::dto::portfolio::{
    PortfolioDto, PortfolioItemDto, PortfolioQuery, PortfolioSectionDto, YearHoursDto,
};
use shared::portfolio::{
    ItemKey, PortfolioItemKind, PortfolioSection, SelectionError, academic_year_label,
    check_selection, hours_summary, parse_selection,
};
use shared::text::full_name;
use shared::{EventLevel, RouteStatus};
use uuid::Uuid;

use super::card::{format_number, short_date};
use super::model::{Align, Block, Cell, Doc, Para, Table};
use super::{DOCX_TYPE, PDF_TYPE, Rendered, certificates};
use crate::auth::Principal;
use crate::db::entities::{assignment, certificate, enrolment, event, route, route_product, user};
use crate::db::{self, units, users};
use crate::error::{AppError, AppResult};
use crate::services::attestation::{teachers_in_unit, trainings_of};
use crate::services::diagnostics::route::compute as dynamics;
use crate::services::route::{access, read};
use crate::state::AppState;
use shared::dto::documents::CardFormat;

fn item(
    kind: PortfolioItemKind,
    id: Uuid,
    title: impl Into<String>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
) -> PortfolioItemDto {
    PortfolioItemDto {
        key: ItemKey::new(kind, id).to_string(),
        kind,
        title: title.into(),
        starts_on,
        ends_on,
        hours: None,
        details: Vec::new(),
        verify_url: None,
    }
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The caller's portfolio on `today`: everything the platform knows, every item listed.
pub async fn build(
    state: &AppState,
    principal: &Principal,
    today: NaiveDate,
) -> AppResult<PortfolioDto> {
    let db = &state.db;
    let me = &principal.user;
    let mut items: Vec<PortfolioItemDto> = Vec::new();

    // Completed routes, each with its conclusion and dynamics; their evaluated products and
    // the public final events held.
    let routes = route::Entity::find()
        .filter(route::Column::TeacherId.eq(me.id))
        .filter(route::Column::Status.eq(RouteStatus::Completed.as_str()))
        .order_by_desc(route::Column::PeriodEnd)
        .all(db)
        .await?;
    let mut products = Vec::new();
    let mut public = Vec::new();
    for r in &routes {
        let ctx = access::load(db, principal, r.id, false).await?;
        let full = read::assemble(db, principal, &ctx).await?;
        let dyn_ = dynamics(db, &ctx.route).await?;
        let mut it = item(
            PortfolioItemKind::Route,
            r.id,
            format!("ИОМ «{}»", full.title),
            Some(full.period_start),
            Some(full.period_end),
        );
        it.hours = certificates::training_hours(&full);
        let c = &full.reflective.conclusion;
        if let Some(o) = c.outcome {
            it.details.push(format!("Итог: {}.", o.title_ru()));
        }
        for (label, text) in [
            ("Выводы", &c.findings),
            ("Результаты", &c.results),
            ("Рекомендации", &c.recommendations),
        ] {
            if let Some(t) = non_blank(text.as_deref()) {
                it.details.push(format!("{label}: {t}"));
            }
        }
        it.details.push(format!(
            "Динамика профессиональных компетенций: {}",
            dyn_.summary
        ));
        items.push(it);
        if let Some(ev) = &full.reflective.evaluation {
            for p in &full.reflective.products {
                let mut it = item(
                    PortfolioItemKind::Product,
                    p.id,
                    p.title.clone(),
                    None,
                    Some(ev.evaluated_at.date_naive()),
                );
                if let Some(k) = non_blank(p.kind.as_deref()) {
                    it.details.push(format!("Вид продукта: {k}"));
                }
                if let Some(d) = non_blank(p.description.as_deref()) {
                    it.details.push(d.to_owned());
                }
                it.details.push(format!(
                    "Экспертиза: {}, {}{}",
                    ev.expert.full_name,
                    short_date(ev.evaluated_at.date_naive()),
                    non_blank(ev.comment.as_deref())
                        .map(|c| format!(" — {c}"))
                        .unwrap_or_default()
                ));
                it.details.push(format!("ИОМ «{}»", full.title));
                if let Some(l) = non_blank(p.link.as_deref()) {
                    it.details.push(l.to_owned());
                }
                products.push(it);
            }
        }
        let f = &full.reflective.final_event;
        if let (true, Some(name)) = (f.done, non_blank(f.name.as_deref())) {
            let mut it = item(
                PortfolioItemKind::PublicEvent,
                r.id,
                name,
                f.start_date,
                f.end_date.or(f.start_date),
            );
            if let Some(l) = f.level {
                it.details
                    .push(format!("Уровень: {}", l.title_ru().to_lowercase()));
            }
            if let Some(p) = non_blank(f.participation_form.as_deref()) {
                it.details.push(format!("Форма участия: {p}"));
            }
            it.details
                .push(format!("Заключительное мероприятие ИОМ «{}»", full.title));
            public.push(it);
        }
    }

    // Certificates still valid, each with its public verification (a QR code in the files).
    for c in certificate::Entity::find()
        .filter(certificate::Column::TeacherId.eq(me.id))
        .filter(certificate::Column::RevokedAt.is_null())
        .order_by_desc(certificate::Column::IssuedAt)
        .all(db)
        .await?
    {
        let mut it = item(
            PortfolioItemKind::Certificate,
            c.id,
            format!("Свидетельство № {}", c.number),
            None,
            Some(c.issued_at.date_naive()),
        );
        it.hours = c.hours;
        it.details.push(format!(
            "О прохождении ИОМ «{}» ({} — {}); выдано: {}",
            c.route_title,
            short_date(c.period_start),
            short_date(c.period_end),
            c.issuer
        ));
        it.verify_url = Some(certificates::verify_url(state, &c.code));
        items.push(it);
    }
    items.extend(products);

    // Catalogue events attended, with their hours and the participant's certificate.
    let attended = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(me.id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Attended.as_str()))
        .all(db)
        .await?;
    let events: HashMap<Uuid, event::Model> = if attended.is_empty() {
        HashMap::new()
    } else {
        event::Entity::find()
            .filter(event::Column::Id.is_in(attended.iter().map(|e| e.event_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect()
    };
    let mut visits: Vec<(NaiveDate, PortfolioItemDto)> = attended
        .iter()
        .filter_map(|e| {
            let ev = events.get(&e.event_id)?;
            let mut it = item(
                PortfolioItemKind::Event,
                e.id,
                ev.title.clone(),
                Some(ev.starts_on),
                Some(ev.ends_on),
            );
            it.hours = ev.hours;
            let kind = ev
                .kind
                .parse::<EventKind>()
                .map(|k| k.title_ru().to_owned())
                .unwrap_or_default();
            let level = ev
                .level
                .parse::<EventLevel>()
                .map(|l| format!(", {} уровень", l.title_ru().to_lowercase()))
                .unwrap_or_default();
            it.details.push(format!("{kind}{level}"));
            it.details.push(match &e.certificate_name {
                Some(n) => format!("Сертификат участника: {n}"),
                None => "Участие отмечено организатором".to_owned(),
            });
            Some((ev.ends_on, it))
        })
        .collect();
    visits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.title.cmp(&b.1.title)));
    items.extend(visits.into_iter().map(|(_, it)| it));
    items.extend(public);

    // Mentoring: tutors and methodist-mentors the teacher had, and teachers they guide.
    let mentoring = [
        AssignmentKind::Tutor.as_str(),
        AssignmentKind::Mentor.as_str(),
    ];
    let received = assignment::Entity::find()
        .filter(assignment::Column::TeacherId.eq(me.id))
        .filter(assignment::Column::Kind.is_in(mentoring))
        .order_by_asc(assignment::Column::CreatedAt)
        .all(db)
        .await?;
    let given = assignment::Entity::find()
        .filter(assignment::Column::StaffId.eq(me.id))
        .filter(assignment::Column::Kind.is_in(mentoring))
        .order_by_asc(assignment::Column::CreatedAt)
        .all(db)
        .await?;
    let mut others: Vec<Uuid> = received.iter().map(|a| a.staff_id).collect();
    others.extend(given.iter().map(|a| a.teacher_id));
    let people: HashMap<Uuid, user::Model> = users::find_many(db, &others)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let name = |id: Uuid| {
        people.get(&id).map_or_else(String::new, |u| {
            full_name(&u.surname, &u.first_name, u.patronymic.as_deref())
        })
    };
    let kind_title = |k: &str| {
        k.parse::<AssignmentKind>()
            .map(|k| k.title_ru().to_lowercase())
            .unwrap_or_default()
    };
    for a in &received {
        let mut it = item(
            PortfolioItemKind::MentoringReceived,
            a.id,
            format!(
                "Сопровождение: {} — {}",
                kind_title(&a.kind),
                name(a.staff_id)
            ),
            Some(a.created_at.date_naive()),
            None,
        );
        it.details.push("Педагог — наставляемый".into());
        items.push(it);
    }
    for a in &given {
        let mut it = item(
            PortfolioItemKind::MentoringGiven,
            a.id,
            format!("Наставничество: педагог {}", name(a.teacher_id)),
            Some(a.created_at.date_naive()),
            None,
        );
        it.details
            .push(format!("Педагог — {}", kind_title(&a.kind)));
        items.push(it);
    }

    let trainings = trainings_of(db, &[me.id])
        .await?
        .remove(&me.id)
        .unwrap_or_default();
    let hours = hours_summary(today, &trainings);
    let school = match me.workplace_id {
        Some(w) => units::find(db, w).await?.map(|u| u.name),
        None => None,
    };
    Ok(PortfolioDto {
        full_name: full_name(&me.surname, &me.first_name, me.patronymic.as_deref()),
        position: me.position.clone(),
        school,
        category: me.qualification_category.clone(),
        category_on: me.qualification_date,
        sections: sectioned(&items),
        hours_by_year: hours
            .years
            .iter()
            .map(|y| YearHoursDto {
                label: academic_year_label(y.year),
                hours: y.hours,
                courses: y.courses,
            })
            .collect(),
        hours_last_three_years: hours.last_training_period,
        hours_last_five_years: hours.attestation_period,
        generated_on: today,
    })
}

/// The items arranged by criterion: every section, in order, each with its items.
fn sectioned(items: &[PortfolioItemDto]) -> Vec<PortfolioSectionDto> {
    PortfolioSection::ALL
        .iter()
        .map(|s| PortfolioSectionDto {
            section: *s,
            title: s.title_ru().to_owned(),
            items: items
                .iter()
                .filter(|i| i.kind.section() == *s)
                .cloned()
                .collect(),
        })
        .collect()
}

/// The caller's portfolio (`GET /me/portfolio`).
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<PortfolioDto> {
    build(state, principal, db::now().date_naive()).await
}

fn keys(p: &PortfolioDto) -> Vec<ItemKey> {
    p.sections
        .iter()
        .flat_map(|s| &s.items)
        .filter_map(|i| i.key.parse().ok())
        .collect()
}

fn selection_error(e: &SelectionError) -> AppError {
    if e.is_malformed() {
        AppError::bad_request("invalid_query", e.to_string())
    } else {
        AppError::invalid("items", e.to_string())
    }
}

/// The keys a request selects (every item without `?items=`), checked against the portfolio.
pub fn selected(p: &PortfolioDto, q: &PortfolioQuery) -> AppResult<BTreeSet<ItemKey>> {
    let available = keys(p);
    match &q.items {
        None => Ok(available.into_iter().collect()),
        Some(raw) => parse_selection(raw)
            .and_then(|s| check_selection(&s, &available))
            .map_err(|e| selection_error(&e)),
    }
}

fn period(i: &PortfolioItemDto) -> String {
    match (i.starts_on, i.ends_on) {
        (Some(a), Some(b)) if a != b => format!("{} — {}", short_date(a), short_date(b)),
        (_, Some(b)) => short_date(b),
        (Some(a), None) => format!("с {}", short_date(a)),
        (None, None) => String::new(),
    }
}

/// The portfolio as a document: title page, then a section per criterion with the selected
/// items; the hours of further training per period open the training section; each selected
/// certificate closes its section with a QR code of its verification page.
pub fn document(p: &PortfolioDto, selected: &BTreeSet<ItemKey>) -> Doc {
    let mut doc = Doc {
        title: format!("Портфолио — {}", p.full_name),
        blocks: Vec::new(),
        number_pages: true,
    };
    doc.push(
        Para::text("ПОРТФОЛИО")
            .bold()
            .size(22.0)
            .align(Align::Center)
            .before(120.0),
    );
    doc.push(
        Para::text("педагогического работника для аттестации в целях установления квалификационной категории")
            .size(13.0)
            .align(Align::Center)
            .before(6.0),
    );
    doc.push(
        Para::text(&p.full_name)
            .bold()
            .size(16.0)
            .align(Align::Center)
            .before(36.0),
    );
    let mut about: Vec<String> = Vec::new();
    if let Some(pos) = non_blank(p.position.as_deref()) {
        about.push(pos.to_owned());
    }
    if let Some(s) = non_blank(p.school.as_deref()) {
        about.push(s.to_owned());
    }
    if !about.is_empty() {
        doc.push(
            Para::text(about.join(", "))
                .align(Align::Center)
                .before(4.0),
        );
    }
    let category = match (non_blank(p.category.as_deref()), p.category_on) {
        (Some(c), Some(on)) => format!("Квалификационная категория: {c}, с {}", short_date(on)),
        (Some(c), None) => format!("Квалификационная категория: {c}"),
        (None, _) => "Квалификационная категория: нет".to_owned(),
    };
    doc.push(Para::text(category).align(Align::Center).before(4.0));
    doc.push(
        Para::text(format!(
            "Сформировано {} по данным платформы ИОМ",
            short_date(p.generated_on)
        ))
        .size(super::model::SMALL)
        .align(Align::Center)
        .before(36.0),
    );
    doc.blocks.push(Block::PageBreak);

    for (n, s) in p.sections.iter().enumerate() {
        doc.push(Para::heading(s.section.heading(n + 1)).size(13.0));
        if s.section == PortfolioSection::Training {
            doc.push(
                Para::text("Часы повышения квалификации по периодам")
                    .bold()
                    .before(4.0),
            );
            let mut t = Table::new(&[3.0, 1.2, 2.2]).header(vec![
                Cell::head("Период"),
                Cell::head("Часов"),
                Cell::head("Программ от 16 ч"),
            ]);
            for y in &p.hours_by_year {
                t.row(vec![
                    Cell::new(&y.label),
                    Cell::new(format_number(y.hours)).center(),
                    Cell::new(y.courses.to_string()).center(),
                ]);
            }
            t.row(vec![
                Cell::new("За последние 3 года").bold(),
                Cell::new(format_number(p.hours_last_three_years))
                    .center()
                    .bold(),
                Cell::new(""),
            ]);
            t.row(vec![
                Cell::new("За межаттестационный период (5 лет)").bold(),
                Cell::new(format_number(p.hours_last_five_years))
                    .center()
                    .bold(),
                Cell::new(""),
            ]);
            doc.table(t);
            doc.push(Para::text("").before(4.0));
        }
        let chosen: Vec<&PortfolioItemDto> = s
            .items
            .iter()
            .filter(|i| i.key.parse().is_ok_and(|k| selected.contains(&k)))
            .collect();
        if chosen.is_empty() {
            doc.push(Para::text("Сведения не представлены.").before(4.0));
            continue;
        }
        let mut t = Table::new(&[0.5, 5.0, 1.9, 0.8]).header(vec![
            Cell::head("№"),
            Cell::head("Наименование, содержание, подтверждение"),
            Cell::head("Сроки"),
            Cell::head("Часов"),
        ]);
        for (i, it) in chosen.iter().enumerate() {
            let mut text = it.title.clone();
            for d in &it.details {
                text.push('\n');
                text.push_str(d);
            }
            t.row(vec![
                Cell::new(format!("{}.", i + 1)).center(),
                Cell::new(text),
                Cell::new(period(it)).center(),
                Cell::new(it.hours.map(format_number).unwrap_or_default()).center(),
            ]);
        }
        doc.table(t);
        for it in chosen {
            if let Some(url) = &it.verify_url {
                doc.push(Para::text("").before(6.0));
                doc.blocks.push(Block::Qr {
                    data: url.clone(),
                    size: 72.0,
                    caption: vec![format!("{}: проверить подлинность", it.title), url.clone()],
                });
            }
        }
    }
    doc.push(Para::text("Педагог ______________ / ______________").before(24.0));
    doc
}

/// The caller's portfolio as DOCX or PDF, with the items the query selects.
pub async fn file(
    state: &AppState,
    principal: &Principal,
    q: &PortfolioQuery,
    format: CardFormat,
) -> AppResult<Rendered> {
    let p = mine(state, principal).await?;
    let chosen = selected(&p, q)?;
    let doc = document(&p, &chosen);
    let (ext, content_type) = match format {
        CardFormat::Docx => ("docx", DOCX_TYPE),
        CardFormat::Pdf => ("pdf", PDF_TYPE),
    };
    Ok(Rendered {
        bytes: super::render(doc, format).await?,
        filename: super::file_name(
            &format!("Портфолио_{}", super::card::short_name(&p.full_name)),
            ext,
        ),
        content_type,
    })
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The columns of the school's summary.
pub const SUMMARY_HEADERS: &[&str] = &[
    "Педагог",
    "E-mail",
    "Образовательная организация",
    "Должность",
    "Квалификационная категория",
    "Дата категории",
    "Маршрутов завершено",
    "Маршрутов всего",
    "Свидетельств",
    "Продуктов, прошедших экспертизу",
    "Мероприятий посещено",
    "Часов за 3 года",
    "Часов за 5 лет",
];

/// One row of the summary: a teacher's text cells then their counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub text: Vec<String>,
    pub numbers: Vec<f64>,
}

/// The portfolio summary of the teachers working in `unit` or below it (the school
/// coordinator's, director's, and those above them): routes, products, events and hours per
/// teacher. Those who manage no unit are refused (403); a unit outside the caller's is 404 (the
/// administrator, who never reads routes, manages none).
pub async fn unit_summary(
    state: &AppState,
    principal: &Principal,
    unit: Uuid,
) -> AppResult<Rendered> {
    if !principal.actor.can_export_lists() {
        return Err(AppError::forbidden(
            "Сводку портфолио получают координатор и руководители организации.",
        ));
    }
    let u = units::find(&state.db, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = units::path(&u)?;
    if !principal.actor.manages(&path) {
        return Err(AppError::NotFound);
    }
    let db = &state.db;
    let people = teachers_in_unit(state, principal, &path).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let mut routes: Vec<route::Model> = Vec::new();
    let mut certs: Vec<certificate::Model> = Vec::new();
    let mut visits: Vec<enrolment::Model> = Vec::new();
    for chunk in ids.chunks(500) {
        routes.extend(
            route::Entity::find()
                .filter(route::Column::TeacherId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
        certs.extend(
            certificate::Entity::find()
                .filter(certificate::Column::TeacherId.is_in(chunk.iter().copied()))
                .filter(certificate::Column::RevokedAt.is_null())
                .all(db)
                .await?,
        );
        visits.extend(
            enrolment::Entity::find()
                .filter(enrolment::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(enrolment::Column::Status.eq(EnrolmentStatus::Attended.as_str()))
                .all(db)
                .await?,
        );
    }
    let evaluated: HashMap<Uuid, Uuid> = routes
        .iter()
        .filter(|r| r.status == RouteStatus::Completed.as_str() && r.evaluation.is_some())
        .map(|r| (r.id, r.teacher_id))
        .collect();
    let mut products: HashMap<Uuid, usize> = HashMap::new();
    let evaluated_ids: Vec<Uuid> = evaluated.keys().copied().collect();
    for chunk in evaluated_ids.chunks(500) {
        for p in route_product::Entity::find()
            .filter(route_product::Column::RouteId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            if let Some(t) = evaluated.get(&p.route_id) {
                *products.entry(*t).or_default() += 1;
            }
        }
    }
    let mut trainings = trainings_of(db, &ids).await?;
    let today = db::now().date_naive();
    let schools: HashMap<Uuid, String> = units::find_many(
        db,
        &people
            .iter()
            .filter_map(|p| p.workplace_id)
            .collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .map(|u| (u.id, u.name))
    .collect();
    // Counted per teacher once: a region's summary has tens of thousands of rows.
    let mut route_counts: HashMap<Uuid, (usize, usize)> = HashMap::new();
    for r in &routes {
        let e = route_counts.entry(r.teacher_id).or_default();
        e.1 += 1;
        if r.status == RouteStatus::Completed.as_str() {
            e.0 += 1;
        }
    }
    let mut cert_counts: HashMap<Uuid, usize> = HashMap::new();
    for c in &certs {
        *cert_counts.entry(c.teacher_id).or_default() += 1;
    }
    let mut visit_counts: HashMap<Uuid, usize> = HashMap::new();
    for v in &visits {
        *visit_counts.entry(v.person_id).or_default() += 1;
    }
    let count = |n: usize| n as f64;
    let rows: Vec<SummaryRow> = people
        .iter()
        .map(|p| {
            let h = hours_summary(today, &trainings.remove(&p.id).unwrap_or_default());
            let (completed, all) = route_counts.get(&p.id).copied().unwrap_or_default();
            SummaryRow {
                text: vec![
                    full_name(&p.surname, &p.first_name, p.patronymic.as_deref()),
                    p.email.clone(),
                    p.workplace_id
                        .and_then(|w| schools.get(&w).cloned())
                        .unwrap_or_default(),
                    p.position.clone().unwrap_or_default(),
                    p.qualification_category.clone().unwrap_or_default(),
                    p.qualification_date.map(short_date).unwrap_or_default(),
                ],
                numbers: vec![
                    count(completed),
                    count(all),
                    count(cert_counts.get(&p.id).copied().unwrap_or(0)),
                    count(products.get(&p.id).copied().unwrap_or(0)),
                    count(visit_counts.get(&p.id).copied().unwrap_or(0)),
                    h.last_training_period,
                    h.attestation_period,
                ],
            }
        })
        .collect();
    let basis: Vec<String> = principal
        .actor
        .grants
        .iter()
        .filter(|g| g.role.manages_unit())
        .map(|g| g.role.as_str().to_owned())
        .collect();
    for p in &people {
        if p.id != principal.id() {
            state.reads.record(crate::db::audit::Read {
                actor_id: principal.id(),
                actor_kind: "user",
                basis: basis.clone(),
                action: "portfolio.summary_read",
                entity_type: "unit",
                entity_id: unit,
                subject_id: p.id,
            });
        }
    }
    let bytes = tokio::task::spawn_blocking(move || summary_xlsx(&rows))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))??;
    Ok(Rendered {
        bytes,
        filename: super::file_name(&format!("Портфолио_сводка_{}", u.name), "xlsx"),
        content_type: XLSX_TYPE,
    })
}

/// The summary as a workbook: text as text (never a formula), counts and hours as numbers.
pub fn summary_xlsx(rows: &[SummaryRow]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::Unexpected(e.into());
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Портфолио педагогов").map_err(xl)?;
    for (c, h) in SUMMARY_HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xl)?;
        sheet
            .set_column_width(c as u16, if c < 6 { 24 } else { 14 })
            .map_err(xl)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.text.iter().enumerate() {
            sheet.write_string(r, c as u16, v).map_err(xl)?;
        }
        for (c, v) in row.numbers.iter().enumerate() {
            sheet
                .write_number(r, (row.text.len() + c) as u16, *v)
                .map_err(xl)?;
        }
    }
    workbook.save_to_buffer().map_err(xl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sample() -> PortfolioDto {
        let route = item(
            PortfolioItemKind::Route,
            Uuid::from_u128(1),
            "ИОМ «Функциональная грамотность»",
            Some(d(2026, 9, 1)),
            Some(d(2027, 5, 31)),
        );
        let mut cert = item(
            PortfolioItemKind::Certificate,
            Uuid::from_u128(2),
            "Свидетельство № 38-2026-000001",
            None,
            Some(d(2026, 12, 7)),
        );
        cert.verify_url = Some("https://iom.example/verify/abc".into());
        let event = item(
            PortfolioItemKind::Event,
            Uuid::from_u128(3),
            "Семинар «Читательская грамотность»",
            Some(d(2026, 11, 1)),
            Some(d(2026, 11, 3)),
        );
        let items = [route, cert, event];
        PortfolioDto {
            full_name: "Иванова Мария Петровна".into(),
            position: Some("учитель математики".into()),
            school: Some("Гимназия № 1".into()),
            category: Some("Первая".into()),
            category_on: Some(d(2023, 4, 14)),
            sections: sectioned(&items),
            hours_by_year: vec![YearHoursDto {
                label: "2026/2027 уч. г.".into(),
                hours: 36.0,
                courses: 1,
            }],
            hours_last_three_years: 36.0,
            hours_last_five_years: 36.0,
            generated_on: d(2026, 12, 7),
        }
    }

    #[test]
    fn the_document_has_a_section_per_criterion_and_only_the_chosen_items() {
        let p = sample();
        let route: ItemKey = p.sections[0].items[0].key.parse().unwrap();
        let doc = document(&p, &BTreeSet::from([route]));
        let text = doc.plain_text();
        for (n, s) in PortfolioSection::ALL.iter().enumerate() {
            assert!(text.contains(&s.heading(n + 1)), "{s:?} in {text}");
        }
        assert!(text.contains("ИОМ «Функциональная грамотность»"));
        assert!(!text.contains("Свидетельство № 38-2026-000001"));
        assert!(!text.contains("Читательская"));
        assert!(text.contains("За последние 3 года | 36"));
        assert!(!doc.blocks.iter().any(|b| matches!(b, Block::Qr { .. })));
    }

    #[test]
    fn a_chosen_certificate_gets_its_qr_code() {
        let p = sample();
        let all: BTreeSet<ItemKey> = keys(&p).into_iter().collect();
        let doc = document(&p, &all);
        let qrs: Vec<&str> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Qr { data, .. } => Some(data.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(qrs, ["https://iom.example/verify/abc"]);
    }

    #[test]
    fn selections_are_checked_against_the_portfolio() {
        let p = sample();
        let all = selected(&p, &PortfolioQuery::default()).unwrap();
        assert_eq!(all.len(), 3);
        let bad = |items: &str| {
            selected(
                &p,
                &PortfolioQuery {
                    items: Some(items.into()),
                },
            )
            .unwrap_err()
        };
        assert!(matches!(bad("route:x"), AppError::BadRequest { .. }));
        assert!(matches!(bad(",,"), AppError::BadRequest { .. }));
        assert!(matches!(bad(""), AppError::Validation { .. }));
        assert!(matches!(
            bad(&format!("route:{}", Uuid::from_u128(9))),
            AppError::Validation { .. }
        ));
    }

    #[test]
    fn the_documented_selection_pattern_is_the_one_the_parser_follows() {
        use utoipa::IntoParams;
        let params = serde_json::to_string(&PortfolioQuery::into_params(|| None)).unwrap();
        let pattern = serde_json::to_string(shared::portfolio::SELECTION_PATTERN).unwrap();
        assert!(params.contains(&pattern), "{params}");
    }

    #[test]
    fn a_qr_code_is_a_png_picture_for_the_docx() {
        let (png, side) = super::super::docx::qr_png("https://iom.example/verify/abc").unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), side);
        assert!(
            png.ends_with(&[0xae, 0x42, 0x60, 0x82]),
            "the IEND chunk's CRC"
        );
    }

    #[test]
    fn the_summary_workbook_keeps_text_as_text_and_hours_as_numbers() {
        let bytes = summary_xlsx(&[SummaryRow {
            text: vec![
                "=1+1".into(),
                "a@b".into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
            ],
            numbers: vec![1.0, 2.0, 1.0, 1.0, 3.0, 52.0, 88.0],
        }])
        .unwrap();
        let t = crate::tabular::read(&bytes).unwrap();
        assert_eq!(t.headers, SUMMARY_HEADERS);
        assert_eq!(t.rows[0].1[0], "=1+1");
        assert_eq!(t.rows[0].1[11], "52");
    }
}

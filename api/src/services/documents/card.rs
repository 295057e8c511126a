//! The route card («Карта индивидуального образовательного маршрута»): what goes into it and in
//! which order, after the sample form in the appendix of the school regulation (seed 001). Pure:
//! built from the route as read, its history and the people who sign it.

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::dto::{ChangeDto, RouteDiagnosticDto, RouteDto, RouteHistory};
use shared::workflow::RouteAction;
use shared::{CompetencyLevel, DiagnosticKind};
use uuid::Uuid;

use super::model::{Align, Block, Cell, Doc, Para, Table};

/// A person who signs the card, as printed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signer {
    pub full_name: String,
    /// Position or role, as printed («Директор», «Заместитель директора»…).
    pub title: String,
    /// When they signed electronically, if they did.
    pub date: Option<NaiveDate>,
}

/// Who signs the card: from the route's approvals, else the school's staff holding the role.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signers {
    pub deputy: Option<Signer>,
    pub director: Option<Signer>,
    pub tutor: Option<Signer>,
}

impl Signers {
    /// Fills what the route's electronic approvals say; the latest of each step wins.
    pub fn from_approvals(route: &RouteDto) -> Self {
        let last = |action: RouteAction| {
            route
                .approvals
                .iter()
                .filter(|a| a.action == action)
                .max_by_key(|a| a.at)
                .map(|a| Signer {
                    full_name: a.person.full_name.clone(),
                    title: a.role_title.clone(),
                    date: Some(a.at.date_naive()),
                })
        };
        let tutor = last(RouteAction::TutorAgree).or_else(|| {
            route.tutors.first().map(|t| Signer {
                full_name: t.full_name.clone(),
                title: "Тьютор".into(),
                date: None,
            })
        });
        Self {
            deputy: last(RouteAction::Agree),
            director: last(RouteAction::Approve),
            tutor,
        }
    }
}

const MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// «05» сентября 2026 г.
pub fn long_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let month = MONTHS[d.month0() as usize];
    format!("«{:02}» {} {} г.", d.day(), month, d.year())
}

/// The blank a person fills in by hand.
pub const BLANK_DATE: &str = "«___» ______________ 20___ г.";

pub fn short_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// «Суетина Юлия Александровна» → «Суетина Ю.А.».
pub fn short_name(full: &str) -> String {
    let mut parts = full.split_whitespace();
    let Some(surname) = parts.next() else {
        return String::new();
    };
    let initials: String = parts
        .filter_map(|p| p.chars().next())
        .map(|c| format!("{c}."))
        .collect();
    if initials.is_empty() {
        surname.to_owned()
    } else {
        format!("{surname} {initials}")
    }
}

fn or_dash(s: Option<&str>) -> String {
    match s.map(str::trim) {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => "—".to_owned(),
    }
}

fn period(start: Option<NaiveDate>, end: Option<NaiveDate>) -> String {
    match (start, end) {
        (Some(s), Some(e)) if s == e => short_date(s),
        (Some(s), Some(e)) => format!("{} – {}", short_date(s), short_date(e)),
        (Some(s), None) => format!("с {}", short_date(s)),
        (None, Some(e)) => format!("до {}", short_date(e)),
        (None, None) => "—".into(),
    }
}

/// One side of the title page: «СОГЛАСОВАНО» or «УТВЕРЖДАЮ».
fn stamp(head: &str, default_title: &str, unit: &str, signer: Option<&Signer>) -> String {
    let title = signer
        .map(|s| s.title.trim())
        .filter(|t| !t.is_empty())
        .unwrap_or(default_title);
    // As on the form: «Директор МАОУ «Городская гимназия № 1»».
    let title = if unit.is_empty() || title.contains(unit) {
        title.to_owned()
    } else {
        format!("{title} {unit}")
    };
    let name = signer
        .map(|s| short_name(&s.full_name))
        .unwrap_or_else(|| "______________".into());
    let date = signer
        .and_then(|s| s.date)
        .map(long_date)
        .unwrap_or_else(|| BLANK_DATE.into());
    format!("{head}:\n{title}\n{name} / ______________\n{date}")
}

fn diagnostic_table(diagnostics: &[&RouteDiagnosticDto]) -> Table {
    let mut t = Table::new(&[1.3, 3.0, 3.2, 1.1, 1.1, 1.1])
        .header(vec![
            Cell::head("Дата"),
            Cell::head(
                "Наименование диагностики с указанием уровня (федеральная, региональная, \
                 муниципальная, институциональная)",
            ),
            Cell::head("Результаты диагностик: компетенции"),
            Cell::head("Уровень сформированности компетенций").span(3),
        ])
        .header(vec![
            Cell::head(""),
            Cell::head(""),
            Cell::head(""),
            Cell::head("низкий"),
            Cell::head("средний"),
            Cell::head("высокий"),
        ]);
    for d in diagnostics {
        let date = d.date.map(short_date).unwrap_or_else(|| "—".into());
        let name = format!("{} ({})", d.name, d.level.title_ru().to_lowercase());
        if d.results.is_empty() {
            t.row(vec![
                Cell::new(date),
                Cell::new(name),
                Cell::new("—"),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
            ]);
            continue;
        }
        for (i, r) in d.results.iter().enumerate() {
            let mark = |level: CompetencyLevel| {
                if r.level != level {
                    return Cell::new("").center();
                }
                let text = match r.score {
                    Some(s) => format!("+ ({})", format_number(s)),
                    None => "+".into(),
                };
                Cell::new(text).center()
            };
            let competency = if r.competency.code.is_empty() {
                r.competency.name.clone()
            } else {
                format!("{} {}", r.competency.code, r.competency.name)
            };
            t.row(vec![
                Cell::new(if i == 0 { date.clone() } else { String::new() }),
                Cell::new(if i == 0 { name.clone() } else { String::new() }),
                Cell::new(competency),
                mark(CompetencyLevel::Low),
                mark(CompetencyLevel::Medium),
                mark(CompetencyLevel::High),
            ]);
        }
    }
    if diagnostics.is_empty() {
        t.row(vec![Cell::new("Диагностика не проводилась.").span(6)]);
    }
    t
}

/// 3.5 → «3,5», 4.0 → «4».
pub fn format_number(v: f64) -> String {
    let s = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    s.replace('.', ",")
}

fn correction_rows(route: &RouteDto, changes: &[ChangeDto]) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = changes
        .iter()
        .map(|c| {
            let what = match (&c.old_value, &c.new_value) {
                (Some(o), Some(n)) => format!("{}: было «{}», стало «{}»", c.subject, o, n),
                (None, Some(n)) => format!("{}: добавлено «{}»", c.subject, n),
                (Some(o), None) => format!("{}: удалено «{}»", c.subject, o),
                (None, None) => c.subject.clone(),
            };
            vec![
                Cell::new(short_date(c.at.date_naive())),
                Cell::new(what),
                Cell::new(short_name(&c.actor.full_name)),
            ]
        })
        .collect();
    if let (Some(orig), Some(reason)) = (route.original_end, route.extension_reason.as_deref())
        && !changes.iter().any(|c| c.field == "period_end")
    {
        rows.push(vec![
            Cell::new("—"),
            Cell::new(format!(
                "Срок продлён с {} до {}. Причина: {}",
                short_date(orig),
                short_date(route.period_end),
                reason
            )),
            Cell::new(""),
        ]);
    }
    rows
}

/// The whole card, in the order of the sample form.
pub fn build(route: &RouteDto, history: &RouteHistory, signers: &Signers) -> Doc {
    let p = &route.information.profile;
    let school = &route.school.name;
    let mut doc = Doc {
        title: format!("Карта ИОМ — {}", route.teacher.full_name),
        blocks: Vec::new(),
        number_pages: true,
    };

    // 1. The title page.
    let mut stamps = Table::plain(&[1.0, 0.15, 1.0]);
    stamps.row(vec![
        Cell::new(stamp(
            "СОГЛАСОВАНО",
            "Заместитель директора",
            "",
            signers.deputy.as_ref(),
        )),
        Cell::new(""),
        Cell::new(stamp(
            "УТВЕРЖДАЮ",
            "Директор",
            school,
            signers.director.as_ref(),
        )),
    ]);
    doc.table(stamps);
    doc.push(
        Para::text("Карта индивидуального образовательного маршрута")
            .bold()
            .size(16.0)
            .align(Align::Center)
            .before(60.0),
    );
    doc.push(
        Para::text(format!("«{}»", route.title))
            .size(13.0)
            .align(Align::Center)
            .before(6.0),
    );
    if let Some(track) = route.track.as_deref().filter(|t| !t.trim().is_empty()) {
        doc.push(
            Para::text(format!("Тематический трек: {track}"))
                .align(Align::Center)
                .before(4.0),
        );
    }
    doc.push(
        Para::text(format!(
            "Срок реализации: {} – {}",
            short_date(route.period_start),
            short_date(route.period_end)
        ))
        .align(Align::Center)
        .before(4.0),
    );
    doc.push(Para::heading("Информационная справка о педагоге").before(30.0));
    let experience = |y: Option<i32>| y.map(|y| format!("{y} {}", years(y)));
    let qualification = match (&p.qualification_category, p.qualification_date) {
        (Some(c), Some(d)) => format!("{c}, {}", short_date(d)),
        (Some(c), None) => c.clone(),
        (None, Some(d)) => short_date(d),
        (None, None) => "—".into(),
    };
    let mut info = Table::new(&[1.0, 1.4]);
    info.size = super::model::BODY;
    for (label, value) in [
        ("Фамилия", p.surname.clone()),
        ("Имя", p.first_name.clone()),
        ("Отчество", or_dash(p.patronymic.as_deref())),
        ("Адрес электронной почты", or_dash(Some(&p.email))),
        ("Контактный телефон", or_dash(p.phone.as_deref())),
        (
            "Место работы",
            or_dash(p.workplace.as_deref().or(Some(school))),
        ),
        ("Должность", or_dash(p.position.as_deref())),
        (
            "Стаж работы (педагогический)",
            or_dash(experience(p.teaching_experience_years).as_deref()),
        ),
        (
            "Стаж работы (в данной должности)",
            or_dash(experience(p.position_experience_years).as_deref()),
        ),
        ("Квалификационная категория, дата", qualification),
    ] {
        info.row(vec![Cell::new(label), Cell::new(value)]);
    }
    doc.table(info);
    doc.blocks.push(Block::PageBreak);

    // 2. The following sheets.
    doc.push(Para::heading(
        "Результаты входной диагностики профессиональных дефицитов",
    ));
    let entry: Vec<&RouteDiagnosticDto> = route
        .diagnostic
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Entry)
        .collect();
    doc.table(diagnostic_table(&entry));

    doc.push(Para::heading(
        "Описание профессиональных дефицитов и определение задач профессионального развития",
    ));
    let deficit_titles: HashMap<Uuid, &str> = route
        .diagnostic
        .deficits
        .iter()
        .map(|d| (d.id, d.title.as_str()))
        .collect();
    let mut dt = Table::new(&[1.0, 1.0]).header(vec![
        Cell::head("Выявленные дефициты"),
        Cell::head("Задачи профессионального развития"),
    ]);
    for (i, task) in route.target.tasks.iter().enumerate() {
        let deficits: Vec<String> = task
            .deficit_ids
            .iter()
            .filter_map(|id| deficit_titles.get(id))
            .map(|t| format!("– {t}"))
            .collect();
        let task_text = match task.description.as_deref().filter(|d| !d.trim().is_empty()) {
            Some(d) => format!("{}. {}\n{}", i + 1, task.title, d),
            None => format!("{}. {}", i + 1, task.title),
        };
        dt.row(vec![Cell::new(deficits.join("\n")), Cell::new(task_text)]);
    }
    for d in &route.diagnostic.deficits {
        let covered = route
            .target
            .tasks
            .iter()
            .any(|t| t.deficit_ids.contains(&d.id));
        if !covered {
            dt.row(vec![Cell::new(format!("– {}", d.title)), Cell::new("")]);
        }
    }
    if dt.body().is_empty() {
        dt.row(vec![Cell::new("—"), Cell::new("—")]);
    }
    doc.table(dt);
    if let Some(req) = route
        .diagnostic
        .educational_request
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        doc.push(Para::text(format!("Образовательный запрос педагога: {req}")).before(4.0));
    }

    doc.push(Para::heading(
        "Планируемый(е) образовательный(е) (методический(е)) продукт(ы)",
    ));
    if route.reflective.products.is_empty() {
        doc.push(Para::text("1. …"));
    }
    for (i, pr) in route.reflective.products.iter().enumerate() {
        let mut text = format!("{}. {}", i + 1, pr.title);
        if let Some(kind) = pr.kind.as_deref().filter(|k| !k.trim().is_empty()) {
            text.push_str(&format!(" ({kind})"));
        }
        if let Some(d) = pr.description.as_deref().filter(|d| !d.trim().is_empty()) {
            text.push_str(&format!(" — {d}"));
        }
        doc.push(Para::text(text));
    }

    doc.push(Para::heading("Планируемый срок реализации ИОМ"));
    let mut pt = Table::plain(&[1.0, 1.0]);
    pt.row(vec![
        Cell::new("Начало реализации ИОМ:"),
        Cell::new("Окончание реализации ИОМ:"),
    ]);
    pt.row(vec![
        Cell::new(long_date(route.period_start)),
        Cell::new(long_date(route.period_end)),
    ]);
    doc.table(pt);
    if let Some(orig) = route.original_end {
        doc.push(Para::text(format!(
            "Маршрут продлён: первоначальный срок окончания {}.",
            long_date(orig)
        )));
    }

    doc.push(Para::heading("Дорожная карта профессионального развития"));
    let mut rt = Table::new(&[2.4, 1.8, 1.8, 1.1, 1.3, 1.1, 1.4]).header(vec![
        Cell::head("Наименование мероприятия"),
        Cell::head("Формируемые компетенции"),
        Cell::head("Дефициты, на устранение которых направлено мероприятие"),
        Cell::head("Уровень мероприятия"),
        Cell::head("Сроки проведения"),
        Cell::head("Форма участия"),
        Cell::head("Результат"),
    ]);
    rt.size = 8.0;
    for a in &route.activity.activities {
        let name = match a.hours {
            Some(h) if h > 0.0 => format!("{} ({} ч)", a.name, format_number(h)),
            _ => a.name.clone(),
        };
        let comps: Vec<String> = a.competencies.iter().map(|c| c.name.clone()).collect();
        let defs: Vec<String> = a
            .deficit_ids
            .iter()
            .filter_map(|id| deficit_titles.get(id))
            .map(|t| (*t).to_owned())
            .collect();
        rt.row(vec![
            Cell::new(name),
            Cell::new(comps.join("; ")),
            Cell::new(defs.join("; ")),
            Cell::new(
                a.level
                    .map(|l| l.title_ru().to_owned())
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::new(period(a.start_date, a.end_date)),
            Cell::new(or_dash(a.participation_form.as_deref())),
            Cell::new(or_dash(a.result.as_deref())),
        ]);
    }
    if route.activity.activities.is_empty() {
        rt.row(vec![Cell::new("Мероприятия не запланированы.").span(7)]);
    }
    doc.table(rt);

    doc.push(Para::heading("Заключительное публичное мероприятие"));
    let fe = &route.reflective.final_event;
    let mut ft = Table::new(&[2.6, 1.3, 1.4, 1.4, 1.2]).header(vec![
        Cell::head("Наименование мероприятия"),
        Cell::head("Уровень проведения"),
        Cell::head("Сроки"),
        Cell::head("Форма участия"),
        Cell::head("Отметка о проведении"),
    ]);
    ft.row(vec![
        Cell::new(or_dash(fe.name.as_deref())),
        Cell::new(
            fe.level
                .map(|l| l.title_ru().to_owned())
                .unwrap_or_else(|| "—".into()),
        ),
        Cell::new(period(fe.start_date, fe.end_date)),
        Cell::new(or_dash(fe.participation_form.as_deref())),
        Cell::new(if fe.done { "проведено" } else { "" }).center(),
    ]);
    doc.table(ft);

    doc.push(
        Para::text("Итоги прохождения ИОМ")
            .bold()
            .size(13.0)
            .align(Align::Center)
            .before(14.0),
    );
    doc.push(Para::heading(
        "Результаты итоговой диагностики профессиональных компетенций",
    ));
    let finals: Vec<&RouteDiagnosticDto> = route
        .diagnostic
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Final)
        .collect();
    doc.table(diagnostic_table(&finals));

    if let Some(ev) = &route.reflective.evaluation {
        doc.push(Para::heading("Экспертная оценка продукта"));
        let mut lines = Vec::new();
        for v in &ev.verdicts {
            if let Some(t) = deficit_titles.get(&v.deficit_id) {
                let verdict = if v.eliminated {
                    "устранён"
                } else {
                    "не устранён"
                };
                lines.push(format!("– {t}: {verdict}"));
            }
        }
        if let Some(c) = ev.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            lines.push(format!("Комментарий эксперта: {c}"));
        }
        lines.push(format!(
            "Эксперт: {}, {}",
            short_name(&ev.expert.full_name),
            short_date(ev.evaluated_at.date_naive())
        ));
        doc.push(Para::text(lines.join("\n")));
    }

    doc.push(Para::heading("Заключение (выводы/результаты/рекомендации)"));
    let c = &route.reflective.conclusion;
    let mut any = false;
    for (label, text) in [
        ("Выводы", &c.findings),
        ("Результаты", &c.results),
        ("Рекомендации", &c.recommendations),
    ] {
        if let Some(t) = text.as_deref().filter(|t| !t.trim().is_empty()) {
            doc.push(Para::text(format!("{label}: {t}")).before(2.0));
            any = true;
        }
    }
    if let Some(o) = c.outcome {
        doc.push(Para::text(format!("Итог: {}.", o.title_ru())).before(2.0));
        any = true;
    }
    if !any {
        for _ in 0..4 {
            doc.push(Para::text("_".repeat(80)));
        }
    }

    doc.push(Para::heading(
        "Информация о корректировке индивидуального образовательного маршрута",
    ));
    let rows = correction_rows(route, &history.changes);
    if rows.is_empty() {
        doc.push(Para::text("Корректировок не было."));
    } else {
        let mut ct = Table::new(&[1.0, 5.0, 1.6]).header(vec![
            Cell::head("Дата"),
            Cell::head("Корректировка"),
            Cell::head("Кто внёс"),
        ]);
        for r in rows {
            ct.row(r);
        }
        doc.table(ct);
    }

    // Signatures: the tutee, the tutor, the director.
    let mut st = Table::plain(&[1.2, 2.4, 1.6]);
    st.size = super::model::BODY;
    let position = p.position.clone().unwrap_or_default();
    let person = |name: &str, title: &str| {
        if title.is_empty() {
            short_name(name)
        } else {
            format!("{}, {}", short_name(name), title.to_lowercase())
        }
    };
    st.row(vec![
        Cell::new("Тьюторант"),
        Cell::new(person(&route.teacher.full_name, &position)),
        Cell::new("______________\nподпись").center(),
    ]);
    st.row(vec![
        Cell::new("Тьютор"),
        Cell::new(
            signers
                .tutor
                .as_ref()
                .map(|s| person(&s.full_name, &s.title))
                .unwrap_or_else(|| "ФИО, должность".into()),
        ),
        Cell::new("______________\nподпись").center(),
    ]);
    st.row(vec![
        Cell::new("Директор"),
        Cell::new(
            signers
                .director
                .as_ref()
                .map(|s| short_name(&s.full_name))
                .unwrap_or_else(|| "ФИО, должность".into()),
        ),
        Cell::new("______________\nподпись").center(),
    ]);
    doc.push(Para::text("").before(16.0));
    doc.table(st);
    doc
}

/// «1 год», «3 года», «7 лет».
pub fn years(n: i32) -> &'static str {
    let n = n.rem_euclid(100);
    match (n % 10, n) {
        (_, 11..=14) => "лет",
        (1, _) => "год",
        (2..=4, _) => "года",
        _ => "лет",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_shorten_to_initials() {
        assert_eq!(short_name("Суетина Юлия Александровна"), "Суетина Ю.А.");
        assert_eq!(short_name("Петров"), "Петров");
        assert_eq!(short_name(""), "");
    }

    #[test]
    fn dates_and_years_read_as_in_a_russian_form() {
        let d = NaiveDate::from_ymd_opt(2026, 9, 5).expect("date");
        assert_eq!(long_date(d), "«05» сентября 2026 г.");
        assert_eq!(years(1), "год");
        assert_eq!(years(3), "года");
        assert_eq!(years(12), "лет");
        assert_eq!(years(21), "год");
        assert_eq!(format_number(3.5), "3,5");
        assert_eq!(format_number(72.0), "72");
    }
}

//! The teacher's attestation portfolio over HTTP: built from what the platform knows, the
//! chosen items as DOCX and PDF (read back; page images of the PDF in
//! `artifacts/documents/portfolio-*.png` when `pdftoppm` is installed), the school's summary as
//! XLSX for the coordinator, and everything an attacker might try.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use e2e::{TestApp, fixtures, problem};
use reqwest::StatusCode;
use shared::Role;
use shared::dto::AttestationDto;
use shared::dto::documents::CertificateDto;
use shared::dto::portfolio::PortfolioDto;
use shared::portfolio::{PortfolioItemKind, PortfolioSection};

use crate::documents::{
    artifacts, assert_in_order, docx_text, download, enrol, event_of, mark_sheet, page_images,
    pdf_text,
};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The demo with its completed route, and a seminar the demo teacher attended with a
/// participant's certificate.
async fn demo() -> TestApp {
    let app = TestApp::spawn_with(e2e::Options {
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
        ..Default::default()
    })
    .await;
    let municipal = app.as_user("municipal@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let seminar = event_of(
        &municipal,
        "Семинар «Смысловое чтение на уроках математики»",
        "seminar",
        5,
        6.0,
    )
    .await;
    enrol(&teacher, seminar).await;
    mark_sheet(
        &municipal,
        seminar,
        &["teacher@iom.test"],
        "teacher@iom.test",
    )
    .await;
    app
}

fn section(p: &PortfolioDto, s: PortfolioSection) -> &shared::dto::portfolio::PortfolioSectionDto {
    p.sections.iter().find(|x| x.section == s).unwrap()
}

fn key_of(p: &PortfolioDto, kind: PortfolioItemKind) -> String {
    p.sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {p:#?}"))
        .key
        .clone()
}

#[tokio::test]
async fn the_demo_teachers_portfolio_holds_the_completed_route_certificate_events_and_hours() {
    let app = demo().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let p: PortfolioDto = teacher.get_json("/api/v1/me/portfolio").await;
    assert_eq!(p.full_name, "Иванова Мария Петровна");
    // A section per criterion, in the commission's order.
    let order: Vec<PortfolioSection> = p.sections.iter().map(|s| s.section).collect();
    assert_eq!(order, PortfolioSection::ALL);

    let dev = section(&p, PortfolioSection::Development);
    let route = dev
        .items
        .iter()
        .find(|i| i.kind == PortfolioItemKind::Route)
        .unwrap();
    assert_eq!(
        route.title,
        format!("ИОМ «{}»", api::services::route::demo::TITLE)
    );
    assert_eq!(route.hours, Some(36.0));
    assert!(
        route
            .details
            .iter()
            .any(|d| d.starts_with("Итог: Задача профессионального развития достигнута")),
        "{route:?}"
    );
    assert!(
        route.details.iter().any(|d| d.starts_with("Динамика")),
        "{route:?}"
    );
    let mine: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    let cert = dev
        .items
        .iter()
        .find(|i| i.kind == PortfolioItemKind::Certificate)
        .unwrap();
    assert_eq!(cert.title, format!("Свидетельство № {}", mine[0].number));
    assert_eq!(
        cert.verify_url.as_deref(),
        Some(mine[0].verify_url.as_str())
    );

    let training = section(&p, PortfolioSection::Training);
    let seminar = training
        .items
        .iter()
        .find(|i| i.kind == PortfolioItemKind::Event)
        .unwrap();
    assert_eq!(
        seminar.title,
        "Семинар «Смысловое чтение на уроках математики»"
    );
    assert_eq!(seminar.hours, Some(6.0));
    assert!(
        seminar
            .details
            .contains(&"Сертификат участника: Сертификат.pdf".to_owned()),
        "{seminar:?}"
    );
    assert!(!section(&p, PortfolioSection::Products).items.is_empty());
    assert_eq!(
        section(&p, PortfolioSection::Sharing).items[0].title,
        "Мастер-класс на муниципальном методическом объединении"
    );
    assert!(
        section(&p, PortfolioSection::Mentoring)
            .items
            .iter()
            .any(|i| i.kind == PortfolioItemKind::MentoringReceived)
    );
    // The hours are the attestation clock's: the 36-hour course of the route.
    let clock: AttestationDto = teacher.get_json("/api/v1/me/attestation").await;
    assert_eq!(p.hours_last_three_years, clock.hours_in_period);
    assert_eq!(p.hours_last_three_years, 36.0);
    assert_eq!(p.hours_last_five_years, 36.0);
    assert_eq!(p.hours_by_year.iter().map(|y| y.hours).sum::<f64>(), 36.0);

    // Everything, as DOCX: the title page, then every criterion in order with its items.
    let docx = download(&teacher, "/api/v1/me/portfolio.docx", DOCX).await;
    let (text, _) = docx_text(&docx);
    assert_in_order(
        &text,
        &[
            "ПОРТФОЛИО",
            "Иванова Мария Петровна",
            "Квалификационная категория: Первая",
            "1. Профессиональное развитие по индивидуальным образовательным маршрутам",
            api::services::route::demo::TITLE,
            &cert.title,
            &mine[0].verify_url,
            "2. Повышение квалификации и участие в мероприятиях",
            "Часы повышения квалификации по периодам",
            "За последние 3 года",
            "За межаттестационный период (5 лет)",
            "Семинар «Смысловое чтение на уроках математики»",
            "Сертификат участника",
            "3. Методические продукты, прошедшие экспертизу",
            "Экспертиза:",
            "4. Транслирование опыта практических результатов профессиональной деятельности",
            "Мастер-класс на муниципальном методическом объединении",
            "5. Наставничество",
            "Сопровождение: тьютор",
        ],
    );
    // The certificate's QR code is a picture in the document.
    let zip = zip::ZipArchive::new(Cursor::new(&docx)).unwrap();
    assert!(
        zip.file_names()
            .any(|n| n.starts_with("word/media/") && n.ends_with(".png")),
        "no QR picture in the DOCX"
    );
    let dir = artifacts();
    std::fs::write(dir.join("portfolio.docx"), &docx).unwrap();

    // The PDF, the same sections, with a QR code for the certificate.
    let pdf = download(&teacher, "/api/v1/me/portfolio.pdf", "application/pdf").await;
    assert!(pdf.starts_with(b"%PDF"));
    let pdf_path = dir.join("portfolio.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    if let Some(t) = pdf_text(&pdf_path) {
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_in_order(
            &flat,
            &[
                "ПОРТФОЛИО",
                "1. Профессиональное развитие",
                "Свидетельство №",
                "проверить подлинность",
                "2. Повышение квалификации",
                "За последние 3 года",
                "3. Методические продукты",
                "4. Транслирование опыта",
                "5. Наставничество",
            ],
        );
        assert!(flat.contains("Страница 2 из"), "page numbers: {flat}");
    }
    let pages = page_images(&pdf_path, "portfolio");
    println!("portfolio: {pages} page image(s) in {}", dir.display());

    // Only what the teacher picked: the route and its certificate.
    let picked = format!(
        "{},{}",
        key_of(&p, PortfolioItemKind::Route),
        key_of(&p, PortfolioItemKind::Certificate)
    );
    let docx = download(
        &teacher,
        &format!("/api/v1/me/portfolio.docx?items={picked}"),
        DOCX,
    )
    .await;
    let (text, _) = docx_text(&docx);
    assert!(text.contains(api::services::route::demo::TITLE));
    assert!(text.contains(&cert.title));
    assert!(!text.contains("Смысловое чтение"), "{text}");
    assert!(!text.contains("Мастер-класс на муниципальном"), "{text}");
    // Every criterion still has its section, saying when nothing was chosen for it.
    assert!(text.contains("5. Наставничество") && text.contains("Сведения не представлены."));
    let pdf = download(
        &teacher,
        &format!("/api/v1/me/portfolio.pdf?items={picked}"),
        "application/pdf",
    )
    .await;
    let picked_path = dir.join("portfolio-picked.pdf");
    std::fs::write(&picked_path, &pdf).unwrap();
    if let Some(t) = pdf_text(&picked_path) {
        assert!(!t.contains("Смысловое"), "{t}");
    }
}

/// Reads the first sheet: the header row and the data rows.
fn sheet(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    assert_eq!(name, "Портфолио педагогов");
    let range = book.worksheet_range(&name).unwrap();
    let mut rows = range.rows().map(<[Data]>::to_vec);
    let headers = rows
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    (headers, rows.collect())
}

#[tokio::test]
async fn the_school_coordinator_gets_the_schools_portfolio_summary_as_xlsx() {
    let app = demo().await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let bytes = download(
        &coordinator,
        &format!("/api/v1/units/{}/portfolio.xlsx", app.demo.school),
        XLSX,
    )
    .await;
    std::fs::write(artifacts().join("portfolio-summary.xlsx"), &bytes).unwrap();
    let (headers, rows) = sheet(bytes);
    assert_eq!(
        headers,
        api::services::documents::portfolio::SUMMARY_HEADERS
    );
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let teacher = rows
        .iter()
        .find(|r| r[0] == "Иванова Мария Петровна")
        .expect("the demo teacher's row");
    assert_eq!(teacher[col("E-mail")].to_string(), "teacher@iom.test");
    assert_eq!(teacher[col("Маршрутов завершено")], Data::Float(1.0));
    assert_eq!(teacher[col("Свидетельств")], Data::Float(1.0));
    assert!(matches!(teacher[col("Продуктов, прошедших экспертизу")], Data::Float(n) if n >= 1.0));
    assert_eq!(teacher[col("Мероприятий посещено")], Data::Float(1.0));
    assert_eq!(teacher[col("Часов за 3 года")], Data::Float(36.0));
    assert_eq!(teacher[col("Часов за 5 лет")], Data::Float(36.0));
    // Only the school's teachers: none of another school's.
    fixtures::person(
        &app.db,
        "far@iom.test",
        Role::Teacher,
        Some(app.demo.school_2),
    )
    .await;
    let director = app.as_user("director@iom.test").await;
    let bytes = download(
        &director,
        &format!("/api/v1/units/{}/portfolio.xlsx", app.demo.school),
        XLSX,
    )
    .await;
    let (_, rows) = sheet(bytes);
    assert!(rows.iter().all(|r| r[1] != "far@iom.test"));
    assert!(rows.iter().any(|r| r[1] == "teacher@iom.test"));
}

#[tokio::test]
async fn nobody_gets_another_teachers_portfolio_and_bad_selections_are_refused() {
    let app = demo().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let p: PortfolioDto = teacher.get_json("/api/v1/me/portfolio").await;
    let route_key = key_of(&p, PortfolioItemKind::Route);
    let cert_key = key_of(&p, PortfolioItemKind::Certificate);

    // Another teacher of the same school: their own, empty portfolio; the demo teacher's items
    // named in a selection are refused, never rendered.
    fixtures::person(
        &app.db,
        "other@iom.test",
        Role::Teacher,
        Some(app.demo.school),
    )
    .await;
    let other = app.as_user("other@iom.test").await;
    let theirs: PortfolioDto = other.get_json("/api/v1/me/portfolio").await;
    assert!(
        theirs.sections.iter().all(|s| s.items.is_empty()),
        "{theirs:?}"
    );
    for ext in ["docx", "pdf"] {
        for items in [route_key.as_str(), cert_key.as_str()] {
            let res = other
                .get(&format!("/api/v1/me/portfolio.{ext}?items={items}"))
                .send()
                .await
                .unwrap();
            let pr = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(pr.errors.contains_key("items"), "{pr:?}");
        }
    }
    // A query that tries to name the teacher is no way in: the caller's own portfolio only.
    let mine: PortfolioDto = other
        .get_json(&format!(
            "/api/v1/me/portfolio?teacher_id={}",
            fixtures::id_of(&app, "teacher@iom.test").await
        ))
        .await;
    assert!(mine.sections.iter().all(|s| s.items.is_empty()));

    // Malformed or far too long selections: 400; empty or unknown: 422; all problem+json,
    // never 500.
    let long = vec![route_key.as_str(); 200].join(",");
    for (items, status) in [
        ("route", StatusCode::BAD_REQUEST),
        ("route:not-a-uuid", StatusCode::BAD_REQUEST),
        (
            "planet:00000000-0000-0000-0000-000000000001",
            StatusCode::BAD_REQUEST,
        ),
        ("%00%ff", StatusCode::BAD_REQUEST),
        (long.as_str(), StatusCode::BAD_REQUEST),
        (",,,", StatusCode::BAD_REQUEST),
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "route:00000000-0000-0000-0000-000000000001",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        for ext in ["docx", "pdf"] {
            let res = teacher
                .get(&format!("/api/v1/me/portfolio.{ext}?items={items}"))
                .send()
                .await
                .unwrap();
            problem(res, status).await;
        }
    }
    // Without a token: 401.
    let res = app.get("/api/v1/me/portfolio.pdf").send().await.unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;

    // The school's summary: a teacher has no right to it (403), a coordinator of another school
    // does not see this one (404, as for a school that does not exist).
    let path = format!("/api/v1/units/{}/portfolio.xlsx", app.demo.school);
    problem(
        teacher.get(&path).send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    fixtures::person(
        &app.db,
        "coord2@iom.test",
        Role::SchoolCoordinator,
        Some(app.demo.school_2),
    )
    .await;
    let coord2 = app.as_user("coord2@iom.test").await;
    problem(
        coord2.get(&path).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        coord2
            .get(&format!(
                "/api/v1/units/{}/portfolio.xlsx",
                uuid::Uuid::new_v4()
            ))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    // Their own school is theirs.
    download(
        &coord2,
        &format!("/api/v1/units/{}/portfolio.xlsx", app.demo.school_2),
        XLSX,
    )
    .await;
}

//! Documents over HTTP: the route card (DOCX, PDF), the completion certificate and its public
//! verification, list exports. Rendered cards and certificates, and their page images when
//! `pdftoppm` is installed, are kept in `artifacts/documents/` at the workspace root.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::dto::documents::{CertificateDto, CertificateVerification};
use shared::dto::*;
use shared::workflow::RouteAction;
use shared::{Role, RouteStatus};
use uuid::Uuid;

use crate::routes::{create, fill, step_ok, write};

pub(crate) fn artifacts() -> PathBuf {
    let dir = e2e::browser::workspace_root()
        .join("artifacts")
        .join("documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn have(tool: &str) -> bool {
    Command::new("which")
        .arg(tool)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The text of a DOCX body, one line per paragraph, and the raw XML.
pub(crate) fn docx_text(bytes: &[u8]) -> (String, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in xml.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' => {
                in_tag = false;
                if tag.starts_with("/w:p") && !tag.starts_with("/w:pP") {
                    text.push('\n');
                } else if tag.starts_with("/w:tc") {
                    text.push_str(" | ");
                } else if tag.starts_with("w:br") {
                    text.push('\n');
                }
            }
            _ if in_tag => tag.push(c),
            _ => text.push(c),
        }
    }
    let text = text
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&apos;", "'");
    (text, xml)
}

/// `pdftotext` of the file, when the tool is installed.
pub(crate) fn pdf_text(path: &Path) -> Option<String> {
    if !have("pdftotext") {
        println!("note: pdftotext is not installed; PDF text checks skipped");
        return None;
    }
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Page images for a person to look at (`pdftoppm`), when installed.
pub(crate) fn page_images(pdf: &Path, stem: &str) -> usize {
    if !have("pdftoppm") {
        println!("note: pdftoppm is not installed; no page images");
        return 0;
    }
    let prefix = artifacts().join(stem);
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_dir(artifacts())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&format!("{stem}-")) && n.ends_with(".png")
        })
        .count()
}

fn pdf_pages(path: &Path) -> Option<usize> {
    if !have("pdfinfo") {
        return None;
    }
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
}

/// Positions of `parts` in `text`, asserting each is present and they come in this order.
pub(crate) fn assert_in_order(text: &str, parts: &[&str]) {
    let mut from = 0;
    for p in parts {
        let at = text[from..]
            .find(p)
            .unwrap_or_else(|| panic!("«{p}» missing (or out of order) in:\n{text}"));
        from += at + p.len();
    }
}

pub(crate) async fn download(user: &User<'_>, path: &str, content_type: &str) -> Vec<u8> {
    let res = user.get(path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(content_type)
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    res.bytes().await.unwrap().to_vec()
}

/// A filled route agreed and approved by the demo school.
async fn approved(app: &TestApp) -> RouteDto {
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let deputy = app.as_user("deputy@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let route = create(&teacher, "Функциональная грамотность на уроках математики").await;
    let route = fill(&teacher, route).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    step_ok(&director, &route, RouteAction::Approve, json!({})).await
}

/// A route carried to completion: started, the course done, the final event held, the product
/// evaluated, the conclusion written.
pub async fn completed(app: &TestApp) -> RouteDto {
    completed_with_evidence(app, false).await
}

/// A completed route; with `evidence`, its activity carries an uploaded file.
pub async fn completed_with_evidence(app: &TestApp, evidence: bool) -> RouteDto {
    completed_with(
        app,
        if evidence {
            Attach::Activity
        } else {
            Attach::Nothing
        },
    )
    .await
}

/// What file a completed route carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    Nothing,
    /// Evidence of its first activity.
    Activity,
    /// A file of its product (`product.pdf`).
    Product,
}

/// A completed route with the file `attach` says.
pub async fn completed_with(app: &TestApp, attach: Attach) -> RouteDto {
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = approved(app).await;
    let route = step_ok(&teacher, &route, RouteAction::Start, json!({})).await;
    let a = route.activity.activities[0].clone();
    let route = write(&teacher, Method::PUT, &format!("/api/v1/routes/{}/activities/{}", route.id, a.id), json!({
        "version": a.version, "name": a.name, "competency_ids": a.competencies.iter().map(|c| c.id).collect::<Vec<_>>(),
        "deficit_ids": a.deficit_ids, "level": "regional", "start_date": "2026-10-05", "end_date": "2026-10-16",
        "participation_form": "слушатель", "result": "удостоверение о повышении квалификации", "status": "done",
        "hours": 36.0
    })).await;
    let target = match attach {
        Attach::Nothing => None,
        Attach::Activity => Some(format!("activity_id={}&name=evidence.pdf", a.id)),
        Attach::Product => Some(format!(
            "product_id={}&name=product.pdf",
            route.reflective.products[0].id
        )),
    };
    let route = if let Some(target) = target {
        let res = teacher
            .post(&format!("/api/v1/routes/{}/files?{target}", route.id))
            .header("content-type", "application/pdf")
            .body(b"%PDF-1.4\n% evidence\n".to_vec())
            .send()
            .await
            .unwrap();
        ok_json(res).await
    } else {
        route
    };
    let route = write(&teacher, Method::PUT, &format!("/api/v1/routes/{}/final-event", route.id), json!({
        "version": route.version,
        "final_event": { "name": "Мастер-класс на муниципальном методическом объединении", "level": "municipal",
                         "start_date": "2027-04-20", "participation_form": "ведущий", "done": true }
    })).await;
    let expert_id = fixtures::id_of(app, "expert@iom.test").await;
    let teacher_id = fixtures::id_of(app, "teacher@iom.test").await;
    fixtures::assign(
        &app.db,
        AssignmentKind::Expert,
        expert_id,
        teacher_id,
        false,
    )
    .await;
    let expert = app.as_user("expert@iom.test").await;
    let route = step_ok(&teacher, &route, RouteAction::SubmitProduct, json!({})).await;
    let d = &route.diagnostic.deficits;
    let route = step_ok(&expert, &route, RouteAction::Evaluate, json!({
        "verdicts": [{ "deficit_id": d[0].id, "eliminated": true }, { "deficit_id": d[1].id, "eliminated": true }],
        "comment": "Продукт соответствует задачам маршрута"
    })).await;
    let route = write(&tutor, Method::PUT, &format!("/api/v1/routes/{}/conclusion", route.id), json!({
        "version": route.version,
        "conclusion": { "findings": "Дефициты устранены", "results": "Разработан сборник практико-ориентированных задач",
                        "recommendations": "Распространить опыт на уровне муниципалитета", "outcome": "achieved" }
    })).await;
    let route = step_ok(&tutor, &route, RouteAction::Complete, json!({})).await;
    assert_eq!(route.status, RouteStatus::Completed);
    route
}

#[tokio::test]
async fn the_route_card_follows_the_sample_form_in_docx_and_pdf() {
    let app = TestApp::spawn().await;
    let route = approved(&app).await;
    let director = app.as_user("director@iom.test").await;

    let docx = download(
        &director,
        &format!("/api/v1/routes/{}/card.docx", route.id),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    .await;
    let (text, xml) = docx_text(&docx);
    // Every part of the appendix form, in its order.
    assert_in_order(
        &text,
        &[
            "СОГЛАСОВАНО",
            "Заместитель директора по УВР",
            "УТВЕРЖДАЮ",
            "Директор МАОУ «Гимназия № 1» г. Светлогорска",
            "Соколова Ю.А.",
            "Карта индивидуального образовательного маршрута",
            "«Функциональная грамотность на уроках математики»",
            "Информационная справка о педагоге",
            "Фамилия",
            "Иванова",
            "Имя",
            "Мария",
            "Квалификационная категория, дата",
            "Первая, 14.04.2023",
            "Результаты входной диагностики профессиональных дефицитов",
            "низкий",
            "Региональная диагностика профессиональных дефицитов (региональный)",
            "+ (35)",
            "Описание профессиональных дефицитов и определение задач профессионального развития",
            "Выявленные дефициты",
            "Формирование функциональной грамотности",
            "Освоить приёмы формирования функциональной грамотности",
            "Планируемый(е) образовательный(е) (методический(е)) продукт(ы)",
            "1. Сборник практико-ориентированных задач для 7 класса",
            "Планируемый срок реализации ИОМ",
            "«01» сентября 2026 г.",
            "«31» мая 2027 г.",
            "Дорожная карта профессионального развития",
            "Наименование мероприятия",
            "КПК «Функциональная грамотность: математическая грамотность» (36 ч)",
            "Открытый урок для методического объединения",
            "Заключительное публичное мероприятие",
            "Итоги прохождения ИОМ",
            "Результаты итоговой диагностики профессиональных компетенций",
            "Заключение (выводы/результаты/рекомендации)",
            "Информация о корректировке индивидуального образовательного маршрута",
            "Тьюторант",
            "Иванова М.П., учитель математики",
            "Тьютор",
            "Директор",
        ],
    );
    // Electronic agreement and approval dates are printed on the title page.
    let today = chrono::Utc::now().date_naive();
    let printed = api::services::documents::card::long_date(today);
    assert!(text.matches(&printed).count() >= 2, "{text}");
    // A4 with numbered pages and fixed-width tables.
    assert!(xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""));
    assert!(xml.contains("<w:tbl>"));
    // The header rows of the card's tables repeat on every page: the roadmap's header row is
    // flagged (and does not split), its activity rows are not.
    let roadmap = xml
        .split("<w:tbl>")
        .find(|t| t.contains("Наименование мероприятия"))
        .expect("the roadmap table");
    let rows: Vec<&str> = roadmap.split("<w:tr>").skip(1).collect();
    assert!(rows.len() >= 3, "{roadmap}");
    assert!(rows[0].contains("Наименование мероприятия"));
    assert!(rows[0].contains("<w:tblHeader />") && rows[0].contains("<w:cantSplit />"));
    assert!(rows[1..].iter().all(|r| !r.contains("<w:tblHeader")));
    let headed = xml
        .split("<w:tbl>")
        .skip(1)
        .filter(|t| {
            t.split("<w:tr>")
                .nth(1)
                .is_some_and(|r| r.contains("<w:tblHeader />"))
        })
        .count();
    // Entry diagnostics, deficits and tasks, roadmap, final event, final diagnostics.
    assert!(headed >= 5, "{headed} tables with a repeated header");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
    let footers: Vec<String> = zip
        .file_names()
        .filter(|n| n.starts_with("word/footer"))
        .map(str::to_owned)
        .collect();
    let mut footer_xml = String::new();
    for f in footers {
        zip.by_name(&f)
            .unwrap()
            .read_to_string(&mut footer_xml)
            .unwrap();
    }
    assert!(footer_xml.contains("PAGE") && footer_xml.contains("NUMPAGES"));

    let pdf = download(
        &director,
        &format!("/api/v1/routes/{}/card.pdf", route.id),
        "application/pdf",
    )
    .await;
    assert!(pdf.starts_with(b"%PDF"));
    let dir = artifacts();
    let docx_path = dir.join("route-card.docx");
    let pdf_path = dir.join("route-card.pdf");
    std::fs::write(&docx_path, &docx).unwrap();
    std::fs::write(&pdf_path, &pdf).unwrap();
    if let Some(t) = pdf_text(&pdf_path) {
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_in_order(
            &flat,
            &[
                "СОГЛАСОВАНО",
                "УТВЕРЖДАЮ",
                "Карта индивидуального образовательного маршрута",
                "Информационная справка о педагоге",
                "Иванова",
                "Результаты входной диагностики",
                "Выявленные дефициты",
                "Планируемый срок реализации ИОМ",
                "Дорожная карта профессионального развития",
                "Заключительное публичное мероприятие",
                "Итоги прохождения ИОМ",
                "Заключение",
                "Информация о корректировке",
                "Тьюторант",
            ],
        );
        assert!(flat.contains("Страница 2 из"), "page numbers: {flat}");
    }
    let pages = page_images(&pdf_path, "route-card");
    println!("route card: {} page image(s) in {}", pages, dir.display());

    // Everyone who reads the route may download it; out of scope is 404.
    let teacher = app.as_user("teacher@iom.test").await;
    download(
        &teacher,
        &format!("/api/v1/routes/{}/card.pdf", route.id),
        "application/pdf",
    )
    .await;
    fixtures::person(
        &app.db,
        "other@iom.test",
        Role::Director,
        Some(app.demo.school_2),
    )
    .await;
    let other = app.as_user("other@iom.test").await;
    for ext in ["docx", "pdf"] {
        let res = other
            .get(&format!("/api/v1/routes/{}/card.{ext}", route.id))
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }
    // Last, as it is slow: LibreOffice opens the DOCX and converts it (a file it had to repair
    // would not convert headless).
    if have("libreoffice") || have("soffice") {
        let bin = if have("libreoffice") {
            "libreoffice"
        } else {
            "soffice"
        };
        let out_dir = dir.join("lo");
        std::fs::create_dir_all(&out_dir).unwrap();
        let status = Command::new(bin)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&out_dir)
            .arg(&docx_path)
            .status()
            .unwrap();
        assert!(status.success());
        let converted = out_dir.join("route-card.pdf");
        assert!(pdf_pages(&converted).unwrap_or(1) >= 2);
        if let Some(t) = pdf_text(&converted) {
            let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_in_order(
                &flat,
                &[
                    "СОГЛАСОВАНО",
                    "УТВЕРЖДАЮ",
                    "Карта индивидуального образовательного маршрута",
                    "Дорожная карта профессионального развития",
                    "Тьюторант",
                ],
            );
        }
        page_images(&converted, "route-card-docx");
    } else {
        println!("note: LibreOffice is not installed; the DOCX → PDF conversion check is skipped");
    }
}

#[tokio::test]
async fn a_card_with_fifty_activities_and_very_long_texts_renders_whole() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут с большой дорожной картой").await;
    let mut route = fill(&teacher, route).await;
    let long = "Очень длинное описание результата мероприятия с подробностями ".repeat(30);
    for i in 0..48 {
        route = write(
            &teacher,
            Method::POST,
            &format!("/api/v1/routes/{}/activities", route.id),
            json!({
                "name": format!("Мероприятие № {i}: семинар «Современные образовательные технологии»"),
                "level": "municipal", "start_date": "2026-11-01", "end_date": "2026-11-02",
                "participation_form": "участник", "result": if i % 10 == 0 { long.clone() } else { "сертификат".into() }
            }),
        )
        .await;
    }
    assert_eq!(route.activity.activities.len(), 50);
    let pdf = download(
        &teacher,
        &format!("/api/v1/routes/{}/card.pdf", route.id),
        "application/pdf",
    )
    .await;
    let docx = download(
        &teacher,
        &format!("/api/v1/routes/{}/card.docx", route.id),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    .await;
    let (text, _) = docx_text(&docx);
    for i in 0..48 {
        assert!(
            text.contains(&format!("Мероприятие № {i}:")),
            "activity {i}"
        );
    }
    let path = artifacts().join("route-card-50.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Some(t) = pdf_text(&path) {
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        for i in [0, 17, 47] {
            assert!(
                flat.contains(&format!("Мероприятие № {i}:")),
                "activity {i}"
            );
        }
        // The long texts are wrapped and carried over pages, never cut off.
        assert!(flat.matches("Очень").count() >= 5 * 30);
        assert!(pdf_pages(&path).unwrap_or(5) >= 5);
    }
}

#[tokio::test]
async fn completing_a_route_issues_a_certificate_that_anyone_can_verify() {
    let app = TestApp::spawn().await;
    let route = completed(&app).await;
    let teacher = app.as_user("teacher@iom.test").await;

    let mine: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    assert_eq!(mine.len(), 1);
    let c = &mine[0];
    assert_eq!(c.route_id, route.id);
    assert!(
        c.number
            .starts_with(&format!("ДО-{}-", chrono::Utc::now().format("%Y"))),
        "{}",
        c.number
    );
    assert_eq!(c.hours, Some(36.0));
    assert!(c.verify_url.ends_with(&format!("/verify/{}", c.code)));
    assert!(!c.can_revoke);
    assert_eq!(c.code.len(), 24);

    // The route's readers see it too; the number reaches the integration summary.
    let director = app.as_user("director@iom.test").await;
    let listed: Vec<CertificateDto> = director
        .get_json(&format!("/api/v1/routes/{}/certificates", route.id))
        .await;
    assert_eq!(listed[0].id, c.id);
    let summary = api::services::integration::summary::routes(&app.db, &[route.id])
        .await
        .unwrap();
    assert_eq!(
        summary[&route.id].certificate_number.as_deref(),
        Some(c.number.as_str())
    );

    let pdf = download(&teacher, &c.pdf_url, "application/pdf").await;
    let path = artifacts().join("certificate.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Some(t) = pdf_text(&path) {
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_in_order(
            &flat,
            &[
                "Центр непрерывного повышения профессионального мастерства",
                "СВИДЕТЕЛЬСТВО",
                &c.number,
                "Иванова Мария Петровна",
                "«Функциональная грамотность на уроках математики»",
                "Задачи профессионального развития",
                "Освоить приёмы формирования функциональной грамотности",
                "Повышение квалификации по дорожной карте: 36 ч.",
                "Заключение",
                "Задача профессионального развития достигнута",
                &c.verify_url,
                &c.code,
            ],
        );
    }
    let pages = page_images(&path, "certificate");
    println!(
        "certificate: {pages} page image(s) in {}",
        artifacts().display()
    );

    // Public verification: no sign-in, only the minimum.
    let res = app
        .get(&format!("/api/v1/verify/{}", c.code))
        .send()
        .await
        .unwrap();
    let raw: Value = ok_json(res).await;
    let mut keys: Vec<&str> = raw
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "issued_on",
            "issuer",
            "number",
            "person_name",
            "revoked_on",
            "route_title",
            "valid"
        ]
    );
    let v: CertificateVerification = serde_json::from_value(raw).unwrap();
    assert!(v.valid);
    assert_eq!(v.person_name, "Иванова Мария Петровна");
    assert_eq!(v.number, c.number);
    assert!(v.revoked_on.is_none());
    for unknown in ["aaaaaaaaaaaaaaaaaaaaaaaa", "nonsense", "%27%20or%201%3D1"] {
        let res = app
            .get(&format!("/api/v1/verify/{unknown}"))
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }

    // Revoking: the region's manager only, with a reason.
    let revoke = format!("/api/v1/certificates/{}/revoke", c.id);
    let res = director
        .post(&revoke)
        .json(&json!({ "reason": "Ошибка" }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let manager = app.as_user("manager@iom.test").await;
    let res = manager
        .post(&revoke)
        .json(&json!({ "reason": "   " }))
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p.errors.contains_key("reason"));
    let revoked: CertificateDto = ok_json(
        manager
            .post(&revoke)
            .json(&json!({ "reason": "Выдано ошибочно" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(revoked.revoked_at.is_some());
    let res = manager
        .post(&revoke)
        .json(&json!({ "reason": "Ещё раз" }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::CONFLICT).await;
    let v: CertificateVerification = ok_json(
        app.get(&format!("/api/v1/verify/{}", c.code))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!v.valid);
    assert!(v.revoked_on.is_some());
    let summary = api::services::integration::summary::routes(&app.db, &[route.id])
        .await
        .unwrap();
    assert_eq!(summary[&route.id].certificate_number, None);

    // Out of scope: the certificate does not exist for another school's director.
    fixtures::person(
        &app.db,
        "other@iom.test",
        Role::Director,
        Some(app.demo.school_2),
    )
    .await;
    let other = app.as_user("other@iom.test").await;
    let res = other.get(&c.pdf_url).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn reopening_a_completed_route_revokes_its_certificate_and_completing_again_issues_a_new_one()
{
    let app = TestApp::spawn().await;
    let route = completed(&app).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let first: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    let director = app.as_user("director@iom.test").await;
    let route = step_ok(
        &director,
        &route,
        RouteAction::Reopen,
        json!({ "comment": "Нужно дополнить заключение" }),
    )
    .await;
    assert_eq!(route.status, RouteStatus::InProgress);
    let after: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    assert!(after[0].revoked_at.is_some());
    assert!(
        after[0]
            .revoke_reason
            .as_deref()
            .unwrap()
            .contains("Нужно дополнить заключение")
    );

    let expert = app.as_user("expert@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = step_ok(&teacher, &route, RouteAction::SubmitProduct, json!({})).await;
    let d = &route.diagnostic.deficits;
    let route = step_ok(&expert, &route, RouteAction::Evaluate, json!({
        "verdicts": [{ "deficit_id": d[0].id, "eliminated": true }, { "deficit_id": d[1].id, "eliminated": true }]
    })).await;
    let route = step_ok(&tutor, &route, RouteAction::Complete, json!({})).await;
    assert_eq!(route.status, RouteStatus::Completed);
    let again: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    assert_eq!(again.len(), first.len() + 1);
    assert!(again[0].revoked_at.is_none());
    assert_ne!(again[0].number, first[0].number);
    assert!(again[0].number.ends_with("-000002"), "{}", again[0].number);
}

#[tokio::test]
async fn verification_is_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let mut last = StatusCode::OK;
    for _ in 0..=api::services::documents::certificates::VERIFY_PER_MINUTE {
        last = app
            .get("/api/v1/verify/aaaaaaaaaaaaaaaaaaaaaaaa")
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn exports_give_the_routes_and_deficits_in_scope_as_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут для выгрузки").await;
    fill(&teacher, route).await;
    // A route in another municipality, out of the municipal coordinator's scope.
    fixtures::person(
        &app.db,
        "far@iom.test",
        Role::Teacher,
        Some(app.demo.school_b),
    )
    .await;
    let far = app.as_user("far@iom.test").await;
    create(&far, "Маршрут другого муниципалитета").await;

    let municipal = app.as_user("municipal@iom.test").await;
    let csv = download(&municipal, "/api/v1/exports/routes.csv", "text/csv").await;
    assert!(csv.starts_with("\u{feff}".as_bytes()));
    let t = api::tabular::read(&csv).unwrap();
    assert_eq!(t.headers[0], "Педагог");
    assert_eq!(t.rows.len(), 1, "{:?}", t.rows);
    let row = &t.rows[0].1;
    assert_eq!(row[0], "Иванова Мария Петровна");
    assert_eq!(row[4], "Маршрут для выгрузки");
    assert_eq!(row[6], RouteStatus::Draft.title_ru());
    assert_eq!(row[3], "Город Светлогорск");

    let xlsx = download(
        &municipal,
        "/api/v1/exports/routes.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    let x = api::tabular::read(&xlsx).unwrap();
    assert_eq!(x.headers, t.headers);
    assert_eq!(x.rows.len(), 1);
    assert_eq!(x.rows[0].1[..7], row[..7]);
    std::fs::write(artifacts().join("routes.xlsx"), &xlsx).unwrap();

    let deficits = download(&municipal, "/api/v1/exports/deficits.csv", "text/csv").await;
    let d = api::tabular::read(&deficits).unwrap();
    let titles: Vec<&str> = d.rows.iter().map(|(_, r)| r[6].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Формирование функциональной грамотности",
            "Проектирование уроков по ФГОС"
        ]
    );
    let dx = download(
        &municipal,
        "/api/v1/exports/deficits.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(api::tabular::read(&dx).unwrap().rows.len(), 2);

    // Filters of the route list apply; the region's manager sees both municipalities.
    let manager = app.as_user("manager@iom.test").await;
    let all =
        api::tabular::read(&download(&manager, "/api/v1/exports/routes.csv", "text/csv").await)
            .unwrap();
    assert_eq!(all.rows.len(), 2);
    let filtered = api::tabular::read(
        &download(
            &manager,
            &format!(
                "/api/v1/exports/routes.csv?municipality_id={}",
                app.demo.municipality_b
            ),
            "text/csv",
        )
        .await,
    )
    .unwrap();
    assert_eq!(filtered.rows.len(), 1);
    assert_eq!(filtered.rows[0].1[4], "Маршрут другого муниципалитета");

    // A teacher exports nothing.
    let res = teacher
        .get("/api/v1/exports/routes.csv")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
}

/// An event published by `user` starting `start` days from today.
pub(crate) async fn event_of(
    user: &User<'_>,
    title: &str,
    kind: &str,
    start: i64,
    hours: f64,
) -> Uuid {
    let day = |d: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(d)).to_string();
    let e = crate::catalogue::publish(
        user,
        json!({
            "title": title, "kind": kind, "format": "onsite", "place": "Светлогорск, Дом учителя",
            "starts_on": day(start), "ends_on": day(start + 2), "hours": hours, "capacity": 30,
            "competency_ids": [], "audience_subjects": [], "audience_levels": []
        }),
    )
    .await;
    e.summary.id
}

pub(crate) async fn enrol(user: &User<'_>, event: Uuid) {
    let res = user
        .post(&format!("/api/v1/catalogue/events/{event}/enrolment"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

/// The organiser marks everyone on the sheet (attended or not) and uploads a certificate for
/// the one named.
pub(crate) async fn mark_sheet(
    organiser: &User<'_>,
    event: Uuid,
    attended: &[&str],
    certificate: &str,
) {
    let sheet: Vec<shared::dto::catalogue::EnrolmentDto> = organiser
        .get_json(&format!("/api/v1/catalogue/events/{event}/enrolments"))
        .await;
    for line in sheet {
        let came = attended.contains(&line.person.email.as_str());
        let res = organiser
            .request(
                Method::PUT,
                &format!("/api/v1/catalogue/enrolments/{}/attendance", line.id),
            )
            .json(&json!({ "attended": came }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        if line.person.email == certificate {
            let res = organiser
                .post(&format!(
                    "/api/v1/catalogue/enrolments/{}/certificate?name=Сертификат.pdf",
                    line.id
                ))
                .header("content-type", "application/pdf")
                .body("%PDF-1.4 certificate")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
}

/// Downloads an export and checks its `X-Total-Rows` against the rows it holds.
async fn export_rows(user: &User<'_>, path: &str) -> Vec<Vec<String>> {
    let res = user.get(path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let total: usize = res.headers()["x-total-rows"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = res.bytes().await.unwrap();
    let t = api::tabular::read(&bytes).unwrap();
    assert_eq!(
        t.headers,
        api::services::documents::attendance::HEADERS,
        "{path}"
    );
    assert_eq!(t.rows.len(), total, "{path}: X-Total-Rows");
    t.rows.into_iter().map(|(_, r)| r).collect()
}

#[tokio::test]
async fn the_events_export_gives_each_participants_attendance_within_the_callers_scope() {
    let app = TestApp::spawn().await;
    fixtures::person(
        &app.db,
        "far@iom.test",
        Role::Teacher,
        Some(app.demo.school_b),
    )
    .await;
    let (teacher, far) = (
        app.as_user("teacher@iom.test").await,
        app.as_user("far@iom.test").await,
    );
    let (municipal, manager, director) = (
        app.as_user("municipal@iom.test").await,
        app.as_user("manager@iom.test").await,
        app.as_user("director@iom.test").await,
    );
    // A municipal seminar of Светлогорск and a regional course, a week apart.
    let seminar = event_of(
        &municipal,
        "Семинар «Функциональная грамотность»",
        "seminar",
        10,
        4.5,
    )
    .await;
    let course = event_of(&manager, "КПК «Цифровая дидактика»", "course", 20, 36.0).await;
    enrol(&teacher, seminar).await;
    enrol(&teacher, course).await;
    enrol(&far, course).await;
    mark_sheet(
        &municipal,
        seminar,
        &["teacher@iom.test"],
        "teacher@iom.test",
    )
    .await;
    mark_sheet(&manager, course, &["far@iom.test"], "far@iom.test").await;

    // The region's manager: every sheet, in calendar order, each participant once.
    let all = export_rows(&manager, "/api/v1/exports/events.csv").await;
    let lines: Vec<(&str, &str, &str, &str, &str)> = all
        .iter()
        .map(|r| {
            (
                r[0].as_str(),
                r[7].as_str(),
                r[11].as_str(),
                r[12].as_str(),
                r[13].as_str(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                "Семинар «Функциональная грамотность»",
                "Иванова Мария Петровна",
                "Участвовал",
                "да",
                "да"
            ),
            (
                "КПК «Цифровая дидактика»",
                "Иванова Мария Петровна",
                "Не участвовал",
                "нет",
                "нет"
            ),
            (
                "КПК «Цифровая дидактика»",
                "Тестова far",
                "Участвовал",
                "да",
                "да"
            ),
        ],
        "{all:?}"
    );
    let first = &all[0];
    assert_eq!(first[1], "Семинар");
    assert_eq!(first[2], shared::EventLevel::Municipal.title_ru());
    assert_eq!(first[3], "Город Светлогорск");
    assert_eq!(first[6], "4,5");
    assert_eq!(first[8], "teacher@iom.test");
    assert_eq!(first[9], "МАОУ «Гимназия № 1» г. Светлогорска");
    assert_eq!(first[10], "Город Светлогорск");
    assert_eq!(all[2][10], "Озёрный район");
    assert_eq!(all[1][6], "36");

    // The municipal coordinator: the seminar's whole sheet and, of the regional course, only
    // the municipality's own teacher.
    let muni = export_rows(&municipal, "/api/v1/exports/events.csv").await;
    let people: Vec<(&str, &str)> = muni
        .iter()
        .map(|r| (r[0].as_str(), r[8].as_str()))
        .collect();
    assert_eq!(
        people,
        [
            ("Семинар «Функциональная грамотность»", "teacher@iom.test"),
            ("КПК «Цифровая дидактика»", "teacher@iom.test"),
        ]
    );
    // The school's director sees the school's teacher at both.
    assert_eq!(
        export_rows(&director, "/api/v1/exports/events.csv")
            .await
            .len(),
        2
    );

    // The calendar's filters: organiser and dates.
    let by_region = export_rows(
        &manager,
        &format!(
            "/api/v1/exports/events.csv?organiser_id={}",
            app.demo.region
        ),
    )
    .await;
    assert_eq!(by_region.len(), 2);
    assert!(by_region.iter().all(|r| r[0] == "КПК «Цифровая дидактика»"));
    let today = chrono::Utc::now().date_naive();
    let early = export_rows(
        &manager,
        &format!(
            "/api/v1/exports/events.csv?from={}&to={}",
            today,
            today + chrono::Duration::days(15)
        ),
    )
    .await;
    assert_eq!(early.len(), 1);
    assert_eq!(early[0][0], "Семинар «Функциональная грамотность»");

    // One event's sheet (the export button on the attendance sheet).
    let sheet = export_rows(
        &manager,
        &format!("/api/v1/exports/events.csv?event_id={course}"),
    )
    .await;
    assert_eq!(sheet, all[1..]);

    // The workbook holds the same rows.
    let xlsx = export_rows(&manager, "/api/v1/exports/events.xlsx").await;
    assert_eq!(xlsx, all);
    std::fs::write(
        artifacts().join("events.xlsx"),
        download(
            &manager,
            "/api/v1/exports/events.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .await,
    )
    .unwrap();

    // Teachers keep no lists; bad filters are a 400, not a 500.
    problem(
        teacher
            .get("/api/v1/exports/events.csv")
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        manager
            .get("/api/v1/exports/events.csv?from=вчера")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn route_exports_announce_their_row_count_before_streaming() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут для выгрузки").await;
    fill(&teacher, route).await;
    let municipal = app.as_user("municipal@iom.test").await;
    for (path, rows) in [
        ("/api/v1/exports/routes.csv", 1),
        ("/api/v1/exports/routes.xlsx", 1),
        ("/api/v1/exports/deficits.csv", 2),
        ("/api/v1/exports/deficits.xlsx", 2),
    ] {
        // The client takes gzip for a workbook (CSV would then come gzipped, undecoded here).
        let encodings = if path.ends_with(".xlsx") {
            "gzip"
        } else {
            "identity"
        };
        let res = municipal
            .get(path)
            .header("accept-encoding", encodings)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()["x-total-rows"],
            rows.to_string().as_str(),
            "{path}"
        );
        let length = res
            .headers()
            .get("content-length")
            .map(|v| v.to_str().unwrap().parse::<usize>().unwrap());
        let body = res.bytes().await.unwrap();
        if path.ends_with(".xlsx") {
            // Not gzipped again: its length is known up front for a progress bar.
            assert_eq!(length, Some(body.len()), "{path}");
        }
        let t = api::tabular::read(&body).unwrap();
        assert_eq!(t.rows.len(), rows, "{path}");
    }
}

#[tokio::test]
async fn the_demo_teacher_has_a_completed_route_whose_certificate_verifies() {
    let app = TestApp::spawn_with(e2e::Options {
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
        ..Default::default()
    })
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let routes: Page<RouteSummary> = teacher.get_json("/api/v1/routes?mine=true").await;
    assert_eq!(routes.items.len(), 1);
    let route = &routes.items[0];
    assert_eq!(route.status, RouteStatus::Completed);
    assert_eq!(route.title, api::services::route::demo::TITLE);

    // Issued by the completion itself: one certificate, with the roadmap's hours.
    let mine: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    assert_eq!(mine.len(), 1);
    let c = &mine[0];
    assert_eq!(c.route_id, route.id);
    assert_eq!(c.hours, Some(36.0));
    assert!(c.revoked_at.is_none());
    assert_eq!(c.verify_url, format!("{}/verify/{}", app.base, c.code));
    let pdf = download(&teacher, &c.pdf_url, "application/pdf").await;
    assert!(pdf.starts_with(b"%PDF"));

    // The QR code's page: valid, with the minimum.
    let v: CertificateVerification = ok_json(
        app.get(&format!("/api/v1/verify/{}", c.code))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(v.valid);
    assert_eq!(v.number, c.number);
    assert_eq!(v.person_name, "Иванова Мария Петровна");
}

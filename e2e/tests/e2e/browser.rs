//! The SPA in headless Chromium.

use std::time::Duration;

use e2e::TestApp;
use e2e::browser::{Browser, built_spa, required};
use fantoccini::Locator;
use serde_json::json;
use shared::catalogue::EventStatus;
use shared::dto::catalogue::{EventDto, EventSummary, RecommendationsDto};
use shared::dto::{ClientDto, Page, RouteDto, RouteSummary};
use shared::workflow::RouteAction;
use shared::{ActivityStatus, RouteStatus};

use crate::routes::{create, fill, step_ok};

async fn app_with_spa() -> Option<TestApp> {
    app_with_spa_and(None).await
}

/// The SPA's server, delivering mail to `smtp` when given.
async fn app_with_spa_and(smtp: Option<String>) -> Option<TestApp> {
    let Some(dist) = built_spa() else {
        assert!(
            !required(),
            "the SPA must be built (trunk build --release) for browser tests"
        );
        eprintln!("skipping a browser test: the SPA is not built");
        return None;
    };
    Some(
        TestApp::spawn_with(e2e::Options {
            web_dir: Some(dist),
            configure: Some(Box::new(move |s| s.smtp_url = smtp.map(Into::into))),
        })
        .await,
    )
}

#[tokio::test]
async fn a_teacher_signs_in_through_the_spa_and_sees_the_cabinet() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    c.goto(&app.url("/")).await.unwrap();
    // Not signed in: the SPA sends us to the sign-in page.
    browser
        .wait_for("input[name=email]")
        .await
        .send_keys("teacher@iom.test")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("demo12345")
        .await
        .unwrap();
    browser.screenshot("login").await;
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    browser.wait_for_text("Личный кабинет").await;
    let name = browser
        .wait_for("[data-testid=user-name]")
        .await
        .text()
        .await
        .unwrap();
    assert!(name.contains("Иванова"), "{name}");
    browser.wait_for_text("Смирнова").await;
    browser.screenshot("cabinet-teacher").await;

    // A reload keeps the session (the refresh cookie), with no detour through sign-in.
    c.refresh().await.unwrap();
    browser.wait_for("[data-testid=user-name]").await;
    assert!(!c.current_url().await.unwrap().path().starts_with("/login"));

    // Signing out returns to the sign-in page, and a reload stays there.
    browser
        .wait_for("[data-testid=logout]")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for("input[name=email]").await;
    c.refresh().await.unwrap();
    browser.wait_for("input[name=email]").await;
}

#[tokio::test]
async fn a_wrong_password_shows_a_russian_message() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    c.goto(&app.url("/login")).await.unwrap();
    browser
        .wait_for("input[name=email]")
        .await
        .send_keys("director@iom.test")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("wrong")
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text("Неверный адрес электронной почты или пароль")
        .await;
}

/// Signs in through the sign-in page and waits for the cabinet.
pub(crate) async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    let c = &browser.client;
    c.goto(&app.url("/login")).await.unwrap();
    browser
        .wait_for("input[name=email]")
        .await
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("demo12345")
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for("[data-testid=user-name]").await;
}

async fn click(browser: &Browser, css: &str) {
    browser.wait_for(css).await.click().await.unwrap();
}

async fn type_into(browser: &Browser, css: &str, text: &str) {
    browser.wait_for(css).await.send_keys(text).await.unwrap();
}

/// Sets an input's value as a person picking it would (dates do not depend on the browser's
/// locale this way), and tells the page.
async fn set_value(browser: &Browser, css: &str, value: &str) {
    browser.wait_for(css).await;
    browser
        .client
        .execute(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
             el.dispatchEvent(new Event('input', { bubbles: true })); \
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

/// Waits until there are at least `n` elements with this `data-testid`.
async fn wait_for_count(browser: &Browser, testid: &str, n: usize) {
    let xpath = format!("(//*[@data-testid='{testid}'])[{n}]");
    wait_for_xpath(browser, &xpath, &format!("{n} × {testid}")).await;
}

async fn wait_for_xpath(browser: &Browser, xpath: &str, what: &str) {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
}

#[tokio::test]
async fn a_teacher_creates_a_route_and_builds_its_roadmap_in_the_editor() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    sign_in(&browser, &app, "teacher@iom.test").await;

    // «Мои маршруты» → «Создать маршрут»: a title and a period, the rest comes from the profile.
    click(&browser, "a[href='/my-routes']").await;
    browser.wait_for_text("У вас пока нет маршрутов").await;
    click(&browser, "[data-testid=new-route]").await;
    type_into(
        &browser,
        "#new-route-title",
        "Функциональная грамотность на уроках математики",
    )
    .await;
    set_value(&browser, "#new-route-start", "2026-09-01").await;
    set_value(&browser, "#new-route-end", "2027-05-31").await;
    browser.screenshot("route-create").await;
    click(&browser, "[data-testid=create-route]").await;

    // The new route opens on its diagnostic section, as a draft.
    browser.wait_for("[data-testid=add-deficit]").await;
    let status = browser
        .wait_for("[data-testid=route-status]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "Черновик");

    // A deficit…
    click(&browser, "[data-testid=add-deficit]").await;
    type_into(
        &browser,
        "#deficit-new-title",
        "Формирование функциональной грамотности",
    )
    .await;
    click(&browser, "[data-testid=deficit-form] button[type=submit]").await;
    browser.wait_for("[data-testid=deficit]").await;

    // …a development task tied to it…
    click(&browser, "a[data-tab=target]").await;
    click(&browser, "[data-testid=add-task]").await;
    type_into(
        &browser,
        "#task-new-title",
        "Освоить приёмы формирования функциональной грамотности",
    )
    .await;
    // The only deficit is already ticked for the person.
    let ticked = c
        .find(Locator::Css("[data-testid=task-form] input[type=checkbox]"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(ticked.as_deref(), Some("true"));
    click(&browser, "[data-testid=task-form] button[type=submit]").await;
    browser.wait_for("[data-testid=task]").await;

    // …and two roadmap activities.
    click(&browser, "a[data-tab=activity]").await;
    click(&browser, "[data-testid=add-activity]").await;
    type_into(
        &browser,
        "#activity-new-name",
        "КПК «Функциональная грамотность: математическая грамотность»",
    )
    .await;
    click(&browser, "[data-testid=activity-form] input[type=checkbox]").await;
    set_value(&browser, "#activity-new-start", "2026-10-05").await;
    set_value(&browser, "#activity-new-end", "2026-10-16").await;
    type_into(&browser, "#activity-new-form", "слушатель").await;
    type_into(&browser, "#activity-new-result", "удостоверение").await;
    browser.screenshot("route-activity-form").await;
    click(&browser, "[data-testid=activity-form] button[type=submit]").await;
    wait_for_count(&browser, "activity-row", 1).await;

    click(&browser, "[data-testid=add-activity]").await;
    type_into(
        &browser,
        "#activity-new-name",
        "Открытый урок для методического объединения",
    )
    .await;
    set_value(&browser, "#activity-new-start", "2027-02-10").await;
    click(&browser, "[data-testid=activity-form] button[type=submit]").await;
    wait_for_count(&browser, "activity-row", 2).await;
    browser
        .wait_for_text("Открытый урок для методического объединения")
        .await;
    c.execute(
        "document.getElementById('roadmap-title').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    browser.screenshot("route-roadmap").await;

    // What the editor wrote is what the server holds.
    let teacher = app.as_user("teacher@iom.test").await;
    let mine: Page<RouteSummary> = teacher.get_json("/api/v1/routes?mine=true").await;
    assert_eq!(mine.items.len(), 1);
    let route: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", mine.items[0].id))
        .await;
    assert_eq!(route.status, RouteStatus::Draft);
    assert_eq!(route.diagnostic.deficits.len(), 1);
    assert!(route.diagnostic.deficits[0].confirmed);
    assert_eq!(route.target.tasks.len(), 1);
    assert_eq!(
        route.target.tasks[0].deficit_ids,
        [route.diagnostic.deficits[0].id]
    );
    let names: Vec<&str> = route
        .activity
        .activities
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "КПК «Функциональная грамотность: математическая грамотность»",
            "Открытый урок для методического объединения"
        ]
    );
    let first = &route.activity.activities[0];
    assert_eq!(first.deficit_ids, [route.diagnostic.deficits[0].id]);
    assert_eq!(first.status, ActivityStatus::Planned);
    assert_eq!(
        first.start_date.map(|d| d.to_string()).as_deref(),
        Some("2026-10-05")
    );
    assert_eq!(first.participation_form.as_deref(), Some("слушатель"));
}

#[tokio::test]
async fn the_director_approves_a_route_from_the_queue_in_the_browser() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    // The teacher, the tutor and the deputy do their part over HTTP.
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let deputy = app.as_user("deputy@iom.test").await;
    let route = create(&teacher, "Смысловое чтение на уроках истории").await;
    let route = fill(&teacher, route).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    assert_eq!(route.status, RouteStatus::Agreed);

    let Some(browser) = Browser::start().await else {
        return;
    };
    sign_in(&browser, &app, "director@iom.test").await;
    click(&browser, "a[href='/queue']").await;
    browser
        .wait_for_text("Смысловое чтение на уроках истории")
        .await;
    browser.wait_for_text("Утвердить («УТВЕРЖДАЮ»)").await;
    browser.screenshot("queue-director").await;
    click(&browser, "[data-testid=route-row] a").await;

    // The route shows what is expected and the director's one step.
    browser
        .wait_for_text("Утвердить маршрут («УТВЕРЖДАЮ»)")
        .await;
    click(&browser, "button[data-action=approve]").await;
    browser.wait_for("#action-form").await;
    click(&browser, "[data-testid=confirm-action]").await;
    browser.wait_for_text("Маршрут утверждён.").await;
    let status = browser
        .wait_for("[data-testid=route-status]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "Утверждён");
    // The director has nothing more to do here.
    assert!(
        browser
            .client
            .find(Locator::Css("button[data-action]"))
            .await
            .is_err()
    );
    browser.screenshot("route-approved").await;

    let route: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    assert_eq!(route.status, RouteStatus::Approved);
    let signer = route
        .approvals
        .iter()
        .find(|a| a.action == RouteAction::Approve)
        .unwrap();
    assert_eq!(signer.person.email, "director@iom.test");
    assert_eq!(route.approved_version, Some(route.version));
}

#[tokio::test]
async fn a_teacher_finds_a_recommended_seminar_enrols_and_adds_it_to_the_roadmap() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    // A route with a deficit in the competency the demo municipal seminar develops.
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = crate::catalogue::competencies(&teacher).await;
    let route =
        crate::catalogue::route_with_deficit(&teacher, comps[1].id, "Функциональная грамотность")
            .await;

    sign_in(&browser, &app, "teacher@iom.test").await;
    // The cabinet recommends it, with the reason.
    browser.wait_for("[data-testid=recommended-card]").await;
    browser
        .wait_for_text("Смысловое чтение на уроках разных предметов")
        .await;
    browser.screenshot("catalogue-cabinet").await;

    // The calendar: list, then the event's page.
    click(&browser, "a[href='/catalogue']").await;
    wait_for_count(&browser, "event-card", 3).await;
    type_into(&browser, "#cal-q", "смысловое").await;
    browser.screenshot("catalogue-calendar").await;
    let xpath =
        "//a[@class='route-link' and contains(., 'Смысловое чтение на уроках разных предметов')]";
    // The list re-renders as the filter applies: read the link's address from a fresh find.
    let mut href = None;
    for _ in 0..20 {
        if let Ok(link) = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(xpath))
            .await
            && let Ok(Some(h)) = link.attr("href").await
        {
            href = Some(h);
            break;
        }
    }
    c.goto(&app.url(&href.unwrap())).await.unwrap();
    browser.wait_for("[data-testid=event-title]").await;
    click(&browser, "[data-testid=enrol]").await;
    let mine = browser.wait_for("[data-testid=my-enrolment]").await;
    assert!(mine.text().await.unwrap().contains("Записан"));
    browser.screenshot("catalogue-event").await;

    // One click: the roadmap gets the activity with everything filled in.
    click(&browser, "[data-testid=add-to-roadmap]").await;
    browser.wait_for_text("Семинар: «Смысловое чтение").await;
    let url = c.current_url().await.unwrap();
    assert!(
        url.path().starts_with(&format!("/routes/{}", route.id)),
        "{url}"
    );
    browser.screenshot("catalogue-roadmap").await;
    let r: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    let act = &r.activity.activities[0];
    assert!(act.event_id.is_some());
    assert_eq!(act.deficit_ids, vec![r.diagnostic.deficits[0].id]);

    // The month view shows it too.
    click(&browser, "a[href='/catalogue']").await;
    click(&browser, "[data-testid=view-month]").await;
    browser.wait_for(".month-grid").await;
    browser.screenshot("catalogue-month").await;
}

/// Clicks the element at `xpath`, finding it again when a re-render made it stale.
async fn click_xpath(browser: &Browser, xpath: &str) {
    let mut attempts = 0;
    loop {
        let el = browser
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("waiting for `{xpath}`: {e}"));
        match el.click().await {
            Ok(()) => return,
            Err(e) if attempts < 5 => {
                attempts += 1;
                eprintln!("retrying the click on `{xpath}`: {e}");
            }
            Err(e) => panic!("clicking `{xpath}`: {e}"),
        }
    }
}

/// Chooses `file` in the file input at `css`, finding it again when a re-render made it stale.
async fn choose_file(browser: &Browser, css: &str, file: &std::path::Path) {
    let mut attempts = 0;
    loop {
        let input = browser.wait_for(css).await;
        match input.send_keys(file.to_str().unwrap()).await {
            Ok(()) => return,
            Err(e) if attempts < 5 => {
                attempts += 1;
                eprintln!("retrying the file choice in `{css}`: {e}");
            }
            Err(e) => panic!("choosing a file in `{css}`: {e}"),
        }
    }
}

#[tokio::test]
async fn a_municipal_coordinator_publishes_a_seminar_and_its_attendance_finishes_the_teachers_roadmap()
 {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = crate::catalogue::competencies(&teacher).await;
    let route = crate::catalogue::route_with_deficit(
        &teacher,
        comps[1].id,
        "Формирование функциональной грамотности",
    )
    .await;

    // The coordinator writes the seminar in the editor: the organiser is their municipality
    // unless they choose another unit, the start date is prefilled.
    sign_in(&browser, &app, "municipal@iom.test").await;
    c.goto(&app.url("/catalogue/new")).await.unwrap();
    type_into(
        &browser,
        "#event-title",
        "Практикум по читательской грамотности",
    )
    .await;
    browser.wait_for("#event-organiser").await;
    let organiser = c
        .execute(
            "return document.querySelector('#event-organiser').value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        organiser.as_str(),
        Some(app.demo.municipality_a.to_string().as_str())
    );
    set_value(&browser, "#event-capacity", "25").await;
    type_into(&browser, "#event-place", "Дом учителя, ауд. 5").await;
    click(&browser, "#event-comps-1").await;
    browser.screenshot("catalogue-editor").await;
    click(&browser, "[data-testid=save-event]").await;

    // Its page: publish, then recommend it to the teacher found by name, with a comment.
    click(&browser, "[data-testid=publish]").await;
    browser.wait_for("[data-testid=recommend-card]").await;
    let url = c.current_url().await.unwrap();
    let event_id: uuid::Uuid = url
        .path()
        .trim_start_matches("/catalogue/")
        .parse()
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let published: EventDto = teacher
        .get_json(&format!("/api/v1/catalogue/events/{event_id}"))
        .await;
    assert_eq!(published.summary.status, EventStatus::Published);
    assert_eq!(published.summary.organiser.id, app.demo.municipality_a);
    assert_eq!(published.summary.level, shared::EventLevel::Municipal);
    assert_eq!(published.summary.capacity, Some(25));

    type_into(&browser, "#rec-q", "Иванова").await;
    click_xpath(
        &browser,
        "//*[@data-testid='rec-found']//label[contains(., 'Иванова')]",
    )
    .await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='rec-chosen'][contains(., 'Иванова')]",
        "the chosen teacher",
    )
    .await;
    type_into(
        &browser,
        "#rec-note",
        "По вашему дефициту в функциональной грамотности",
    )
    .await;
    click(&browser, "[data-testid=recommend]").await;
    browser.wait_for("[data-testid=recommend-done]").await;
    browser.screenshot("catalogue-recommend").await;

    // The teacher sees it recommended by the coordinator, and ranked for the deficit with the
    // reason; enrols and adds it to the roadmap (over HTTP: the browser part is another test).
    let recs: RecommendationsDto = teacher.get_json("/api/v1/catalogue/recommendations").await;
    let personal = recs
        .personal
        .iter()
        .find(|p| p.event.id == event_id)
        .unwrap_or_else(|| panic!("{recs:#?}"));
    assert_eq!(
        personal.note.as_deref(),
        Some("По вашему дефициту в функциональной грамотности")
    );
    let muni = app.as_user("municipal@iom.test").await;
    let me: serde_json::Value = muni.get_json("/api/v1/me").await;
    assert_eq!(
        personal.recommended_by.id.to_string(),
        me["person"]["id"].as_str().unwrap()
    );
    let ranked = recs
        .ranked
        .iter()
        .find(|r| r.event.id == event_id)
        .unwrap_or_else(|| panic!("{recs:#?}"));
    assert!(
        ranked.reasons[0].contains("Формирование функциональной грамотности"),
        "{:?}",
        ranked.reasons
    );
    let _: EventDto = e2e::ok_json(
        teacher
            .post(&format!("/api/v1/catalogue/events/{event_id}/enrolment"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let _: RouteDto = e2e::ok_json(
        teacher
            .post(&format!("/api/v1/catalogue/events/{event_id}/roadmap"))
            .json(&json!({ "route_id": route.id }))
            .send()
            .await
            .unwrap(),
    )
    .await;

    // The coordinator's attendance sheet: mark the teacher as present, attach the certificate.
    c.refresh().await.unwrap();
    let row = "//*[@data-testid='sheet-row'][contains(., 'Иванова')]";
    click_xpath(&browser, &format!("{row}//*[@data-testid='mark-attended']")).await;
    wait_for_xpath(
        &browser,
        &format!("{row}/td[@data-label='Статус'][contains(., 'Участвовал')]"),
        "the participant marked as attended",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let certificate = dir.path().join("Сертификат.pdf");
    std::fs::write(&certificate, "%PDF-1.4 certificate of attendance").unwrap();
    choose_file(
        &browser,
        "[data-testid=sheet-row] input[type=file]",
        &certificate,
    )
    .await;
    wait_for_xpath(
        &browser,
        &format!("{row}/td[@data-label='Сертификат'][contains(., 'Сертификат.pdf')]"),
        "the uploaded certificate",
    )
    .await;
    browser.screenshot("catalogue-attendance").await;

    // The route's activity for the seminar is done, with the certificate as its evidence.
    let r: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    let act = r
        .activity
        .activities
        .iter()
        .find(|a| a.event_id == Some(event_id))
        .unwrap_or_else(|| panic!("{r:#?}"));
    assert_eq!(act.status, ActivityStatus::Done);
    assert_eq!(
        act.files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Сертификат.pdf"]
    );

    // The teacher's event page shows the certificate and the way to the roadmap.
    sign_out(&browser).await;
    sign_in(&browser, &app, "teacher@iom.test").await;
    c.goto(&app.url(&format!("/catalogue/{event_id}")))
        .await
        .unwrap();
    let name = browser
        .wait_for("[data-testid=my-certificate-name]")
        .await
        .text()
        .await
        .unwrap();
    assert!(name.contains("Сертификат.pdf"), "{name}");
    browser
        .wait_for_text("В дорожной карте моего маршрута")
        .await;
    browser.screenshot("catalogue-my-certificate").await;
}

#[tokio::test]
async fn a_tutor_recommends_an_event_to_a_tutee_offered_first_on_the_event_page() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let tutor = app.as_user("tutor@iom.test").await;
    let page: Page<EventSummary> = tutor
        .get_json(
            "/api/v1/catalogue/events?q=%D1%81%D0%BC%D1%8B%D1%81%D0%BB%D0%BE%D0%B2%D0%BE%D0%B5",
        )
        .await;
    let event = page.items[0].id;

    sign_in(&browser, &app, "tutor@iom.test").await;
    browser
        .client
        .goto(&app.url(&format!("/catalogue/{event}")))
        .await
        .unwrap();
    // The tutor's own tutee is offered first, without typing.
    click_xpath(
        &browser,
        "//fieldset[.//legend[contains(., 'Мои педагоги')]]//label[contains(., 'Иванова')]",
    )
    .await;
    type_into(&browser, "#rec-note", "Посмотрите, пригодится для продукта").await;
    click(&browser, "[data-testid=recommend]").await;
    let done = browser
        .wait_for("[data-testid=recommend-done]")
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("1 педагогу"), "{done}");
    browser.screenshot("catalogue-tutor-recommends").await;

    let teacher = app.as_user("teacher@iom.test").await;
    let recs: RecommendationsDto = teacher.get_json("/api/v1/catalogue/recommendations").await;
    let mine = recs
        .personal
        .iter()
        .find(|p| p.event.id == event)
        .unwrap_or_else(|| panic!("{recs:#?}"));
    assert!(mine.recommended_by.full_name.starts_with("Смирнова"));
    assert_eq!(
        mine.note.as_deref(),
        Some("Посмотрите, пригодится для продукта")
    );
}

#[tokio::test]
async fn the_public_verification_page_shows_a_valid_certificate() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    crate::documents::completed(&app).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let mine: Vec<shared::dto::documents::CertificateDto> =
        teacher.get_json("/api/v1/me/certificates").await;
    let c = &mine[0];
    // What the QR code opens, without signing in.
    browser
        .client
        .goto(&app.url(&format!("/verify/{}", c.code)))
        .await
        .unwrap();
    let status = browser
        .wait_for("[data-testid=verification-status]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "Свидетельство действительно");
    browser.wait_for_text("Иванова Мария Петровна").await;
    browser.wait_for_text(&c.number).await;
    browser.screenshot("verify-valid").await;

    // An unknown code says so.
    browser
        .client
        .goto(&app.url("/verify/aaaaaaaaaaaaaaaaaaaaaaaa"))
        .await
        .unwrap();
    browser.wait_for_text("не найдено").await;
}

#[tokio::test]
async fn the_teacher_downloads_the_certificate_as_an_open_badge_from_the_cabinet() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    crate::documents::completed(&app).await;
    sign_in(&browser, &app, "teacher@iom.test").await;
    let button = browser
        .wait_for("[data-testid=my-certificates] [data-testid=certificate-badge]")
        .await;
    assert_eq!(
        button.text().await.unwrap(),
        "Скачать цифровой бейдж (Open Badges)"
    );
    button.click().await.unwrap();
    wait_for_xpath(
        &browser,
        "//*[@data-testid='certificate-badge'][@aria-busy='false']",
        "the badge download to finish",
    )
    .await;
    let fetched = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').some(e => /\\/api\\/v1\\/certificates\\/[^/]+\\/badge$/.test(e.name));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched, json!(true));
    assert!(
        browser
            .client
            .find_all(Locator::Css(".alert-error"))
            .await
            .unwrap()
            .is_empty()
    );
    browser.screenshot("certificate-badge").await;
}

async fn sign_out(browser: &Browser) {
    click(browser, "[data-testid=logout]").await;
    browser.wait_for("input[name=email]").await;
}

#[tokio::test]
async fn a_regional_manager_adds_a_teacher_who_accepts_the_emailed_invitation() {
    let mut sink = e2e::smtp::SmtpSink::start().await;
    let Some(app) = app_with_spa_and(Some(sink.url())).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    let email = "orlova.vera@school1.test";

    // The manager adds a teacher: an address, a name, the school; the invitation goes at once.
    sign_in(&browser, &app, "manager@iom.test").await;
    click(&browser, "a[href='/admin/people']").await;
    browser.wait_for("[data-testid=person-row]").await;
    click(&browser, "[data-testid=new-person]").await;
    type_into(&browser, "#new-person-email", email).await;
    type_into(&browser, "#new-person-surname", "Орлова").await;
    type_into(&browser, "#new-person-first_name", "Вера").await;
    type_into(&browser, "#new-person-position", "Учитель биологии").await;
    set_value(
        &browser,
        "#new-person-workplace_id",
        &app.demo.school.to_string(),
    )
    .await;
    browser.screenshot("person-new").await;
    click(&browser, "[data-testid=create-person]").await;
    // The card is loaded again after the message: wait for its new state.
    wait_for_xpath(
        &browser,
        "//*[@data-testid='invitation-state'][normalize-space(.)='Приглашение отправлено']",
        "the invitation sent",
    )
    .await;
    browser.wait_for_text("Педагог").await;
    browser.screenshot("person-card").await;
    sign_out(&browser).await;

    // The letter leaves; the administrator sees it in the outbox without its one-time link.
    app.run_jobs().await;
    let mail = sink
        .inbox
        .recv()
        .await
        .expect("the invitation is delivered");
    assert_eq!(mail.to, [email]);
    let text = mail.text();
    let token = text
        .split("/invite/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the mail carries the link")
        .to_owned();
    sign_in(&browser, &app, "admin@iom.test").await;
    click(&browser, "a[href='/admin/outbox']").await;
    let shown = browser
        .wait_for(&format!("[data-testid=mail][data-to='{email}']"))
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains("[скрыто]"), "{shown}");
    assert!(!shown.contains(&token));
    assert!(
        c.find_all(Locator::Css(&format!(
            "[data-testid=mail][data-to='{email}'] [data-testid=mail-link]"
        )))
        .await
        .unwrap()
        .is_empty(),
        "no link to follow"
    );
    browser.screenshot("outbox").await;
    sign_out(&browser).await;

    // The teacher opens the link: it says whom it is for; a weak password is refused in Russian.
    c.goto(&app.url(&format!("/invite/{token}"))).await.unwrap();
    let whom = browser
        .wait_for("[data-testid=link-person]")
        .await
        .text()
        .await
        .unwrap();
    assert!(whom.contains("Орлова Вера"), "{whom}");
    type_into(&browser, "input[name=password]", "12345678").await;
    type_into(&browser, "input[name=password2]", "12345678").await;
    click(&browser, "[data-testid=set-password]").await;
    browser.wait_for_text("слишком").await;
    browser.screenshot("invite-weak-password").await;
    let password = "ясный-берег-над-рекой";
    for field in ["password", "password2"] {
        set_value(&browser, &format!("input[name={field}]"), password).await;
    }
    click(&browser, "[data-testid=set-password]").await;
    // The first sign-in asks for the consents to processing before anything else.
    let screen = browser
        .wait_for("[data-testid=consent-screen]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        screen.contains("Ведение индивидуального образовательного маршрута"),
        "{screen}"
    );
    assert!(
        c.find_all(Locator::Css("[data-testid=user-name]"))
            .await
            .unwrap()
            .is_empty(),
        "nothing else is shown before the answer"
    );
    browser.screenshot("consent-first-sign-in").await;
    click(&browser, "[data-testid=consent-agree-all]").await;
    let name = browser
        .wait_for("[data-testid=user-name]")
        .await
        .text()
        .await
        .unwrap();
    assert!(name.contains("Орлова"), "{name}");
    // The profile lists the consents, each one withdrawable.
    click(&browser, "a[href='/profile']").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='my-consents']//*[@data-testid='consent-status'][normalize-space(.)='Дано']",
        "the consents given",
    )
    .await;
    // «Кто видел мои данные»: the manager opened her card when adding her.
    app.flush_reads().await;
    c.goto(&app.url("/access-log")).await.unwrap();
    wait_for_xpath(
        &browser,
        "//*[@data-testid='access-log']//td[contains(., 'Менеджер ЦНППМ')]",
        "the manager's read in the access log",
    )
    .await;
    browser.screenshot("access-log").await;
    sign_out(&browser).await;

    // The link is spent; the new password signs in.
    c.goto(&app.url(&format!("/invite/{token}"))).await.unwrap();
    browser.wait_for_text("Ссылка недействительна").await;
    c.goto(&app.url("/login")).await.unwrap();
    type_into(&browser, "input[name=email]", email).await;
    type_into(&browser, "input[name=password]", password).await;
    click(&browser, "button[type=submit]").await;
    let name = browser
        .wait_for("[data-testid=user-name]")
        .await
        .text()
        .await
        .unwrap();
    assert!(name.contains("Орлова"), "{name}");
}

#[tokio::test]
async fn an_integration_client_gets_its_secret_shown_once() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    sign_in(&browser, &app, "manager@iom.test").await;
    click(&browser, "a[href='/integrations']").await;
    browser
        .wait_for_text("Пока ни одна система не подключена")
        .await;
    click(&browser, "[data-testid=new-client]").await;
    // The region and the usual rights are prefilled: a name is all it takes.
    type_into(&browser, "#client-name", "Региональная платформа ИОМП").await;
    // Whatever the app reports to the console from here on is collected: a panic is a failure.
    c.execute(
        "window.__errors = []; const original = console.error; \
         console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); original(...a); }; \
         window.addEventListener('error', e => window.__errors.push(e.message));",
        vec![],
    )
    .await
    .unwrap();
    click(&browser, "[data-testid=create-client]").await;
    let secret = browser
        .wait_for("[data-testid=client-secret]")
        .await
        .text()
        .await
        .unwrap();
    let client_id = browser
        .wait_for("[data-testid=client-id]")
        .await
        .text()
        .await
        .unwrap();
    assert!(secret.len() >= 20, "{secret}");
    browser.screenshot("integration-secret").await;

    // The secret works…
    let res = app
        .post("/api/v1/oauth/token")
        .json(&json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );

    // …and is never shown again: the list has the client, its page has no secret.
    let manager = app.as_user("manager@iom.test").await;
    let clients: Vec<ClientDto> = manager.get_json("/api/v1/integrations").await;
    assert_eq!(clients.len(), 1, "{clients:?}");
    browser.wait_for("[data-testid=client-row]").await;
    click(&browser, "[data-testid=issued] a[href^='/integrations/']").await;
    browser.wait_for_text("Ключи").await;
    browser.wait_for_text("Веб-хуки").await;
    assert!(
        c.find(Locator::Css("[data-testid=client-secret]"))
            .await
            .is_err()
    );
    let page = c.source().await.unwrap();
    assert!(!page.contains(&secret));
    browser.screenshot("integration-client").await;
    let errors = c.execute("return window.__errors", vec![]).await.unwrap();
    assert_eq!(errors, json!([]), "the app reported errors");
}

#[tokio::test]
async fn a_manager_re_invites_and_grants_a_role_on_the_persons_card() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    // Someone invited who has not set a password yet.
    let email = "ivanova.olga@school1.test";
    let res = app
        .as_user("manager@iom.test")
        .await
        .post("/api/v1/people")
        .json(&json!({
            "email": email, "surname": "Иванова", "first_name": "Ольга",
            "workplace_id": app.demo.school,
            "roles": [{ "role": "teacher", "unit_id": app.demo.school }], "invite": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    sign_in(&browser, &app, "manager@iom.test").await;
    click(&browser, "a[href='/admin/people']").await;
    type_into(&browser, "#people-q", "Иванова").await;
    click(&browser, "form[role=search] button[type=submit]").await;
    // The row of that person, not whatever row comes first while the search is loading.
    // The list is re-rendered when the search answers: a link found just before goes stale.
    let row = format!("//*[@data-testid='person-row'][contains(., '{email}')]//a");
    click_xpath(&browser, &row).await;
    browser.wait_for("[data-testid=invitation-state]").await;
    let roles_before = browser
        .client
        .find_all(Locator::Css("[data-testid=role-row]"))
        .await
        .unwrap()
        .len();

    // The invitation, sent again; the card says so at once.
    click(&browser, "[data-testid=invite]").await;
    browser
        .wait_for_text(&format!("Приглашение отправлено на {email}"))
        .await;
    let state = browser
        .wait_for("[data-testid=invitation-state]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(state, "Приглашение отправлено");

    // A role at the region: the manager is offered only what they may grant.
    set_value(&browser, "#grant-role", "methodist").await;
    set_value(&browser, "#grant-unit", &app.demo.region.to_string()).await;
    click(&browser, "[data-testid=grant-role]").await;
    wait_for_count(&browser, "role-row", roles_before + 1).await;
    browser.screenshot("person-card-roles").await;

    // Someone who has signed in is offered no invitation: they reset a forgotten password.
    let teacher = e2e::fixtures::id_of(&app, "teacher@iom.test").await;
    browser
        .client
        .goto(&app.url(&format!("/admin/people/{teacher}")))
        .await
        .unwrap();
    browser.wait_for("[data-testid=invitation-state]").await;
    browser.wait_for("[data-testid=edit-profile]").await;
    assert!(
        browser
            .client
            .find_all(Locator::Css("[data-testid=invite]"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// The text of every element with this `data-testid`.
async fn texts_of(browser: &Browser, testid: &str) -> Vec<String> {
    let found = browser
        .client
        .find_all(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .unwrap();
    let mut texts = Vec::with_capacity(found.len());
    for el in found {
        texts.push(el.text().await.unwrap());
    }
    texts
}

#[tokio::test]
async fn a_regional_manager_imports_staff_from_a_file_through_the_wizard() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.csv");
    std::fs::write(
        &broken,
        "Email;ФИО;Должность\nnot-an-address;Котов Илья Петрович;Учитель физики\n",
    )
    .unwrap();
    let good = dir.path().join("staff.csv");
    std::fs::write(
        &good,
        "Email;ФИО;Должность\n\
         kotov@school1.test;Котов Илья Петрович;Учитель физики\n\
         belova@school1.test;Белова Нина Андреевна;Учитель химии\n",
    )
    .unwrap();
    sign_in(&browser, &app, "manager@iom.test").await;
    browser
        .client
        .goto(&app.url("/admin/import"))
        .await
        .unwrap();
    set_value(&browser, "#import-school", &app.demo.school.to_string()).await;

    // A row with a wrong address: shown with its row and column, and nothing can be committed.
    let input = browser.wait_for("[data-testid=import-file]").await;
    input.send_keys(broken.to_str().unwrap()).await.unwrap();
    browser.wait_for("[data-testid=import-row]").await;
    browser.wait_for_text("С ошибками: 1").await;
    let commit = browser.wait_for("[data-testid=import-commit]").await;
    assert!(commit.attr("disabled").await.unwrap().is_some());
    browser.screenshot("import-errors").await;

    // The corrected file: two new people, committed at once, invitations sent.
    // «Выбрать другой файл» keeps the school chosen before.
    click(&browser, ".button-row .btn-secondary").await;
    browser
        .wait_for("[data-testid=import-file]")
        .await
        .send_keys(good.to_str().unwrap())
        .await
        .unwrap();
    browser.wait_for_text("Будут созданы: 2").await;
    click(&browser, "[data-testid=import-commit]").await;
    let result = browser
        .wait_for("[data-testid=import-result]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        result,
        "Создано: 2. Обновлено: 0. Приглашений отправлено: 2."
    );
    browser.screenshot("import-done").await;
}

#[tokio::test]
async fn a_regional_manager_adds_a_school_to_the_unit_tree() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    sign_in(&browser, &app, "manager@iom.test").await;
    click(&browser, "a[href='/admin/units']").await;
    browser.wait_for_text("Город Светлогорск").await;
    browser.wait_for_text("Правила региона для маршрутов").await;
    let before = browser
        .client
        .find_all(Locator::Css("[data-testid=unit]"))
        .await
        .unwrap()
        .len();
    // «Добавить» at the municipality: a school is what goes there, so only a name is asked.
    let muni = app.demo.municipality_a;
    browser
        .client
        .find(Locator::XPath(
            "//li[@data-testid='unit'][div[contains(., 'Город Светлогорск')]]/div//button[@data-testid='add-unit']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(
        &browser,
        &format!("[id='add-{muni}-name']"),
        "МБОУ «Средняя общеобразовательная школа № 7» г. Светлогорска",
    )
    .await;
    browser
        .client
        .find(Locator::XPath(&format!(
            "//form[.//input[@id='add-{muni}-name']]//button[@type='submit']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_count(&browser, "unit", before + 1).await;
    browser
        .wait_for_text("«МБОУ «Средняя общеобразовательная школа № 7» г. Светлогорска» добавлено.")
        .await;
    browser.screenshot("units-tree").await;
}

#[tokio::test]
async fn a_teacher_completes_a_self_assessment_and_sees_the_proposed_deficits() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    sign_in(&browser, &app, "teacher@iom.test").await;
    let c = &browser.client;
    c.goto(&app.url("/my-diagnostics")).await.unwrap();
    browser
        .wait_for_text("Самооценка профессиональных компетенций")
        .await;
    // The questionnaire is prefilled («средний»); the teacher marks two competencies low.
    browser
        .wait_for("[data-testid=self-assessment] fieldset")
        .await;
    for code in ["П.1", "К.2"] {
        click(&browser, &format!("[id='self-{code}-low']")).await;
    }
    browser.screenshot("self-assessment").await;
    click(&browser, "[data-testid=self-submit]").await;
    browser
        .wait_for_text("Самооценка сохранена. Выявлено дефицитов: 2.")
        .await;
    // The results list now has the self-assessment with its proposed deficits, apart from the
    // region's entry diagnostic.
    browser
        .wait_for_text("П.1 Владение содержанием преподаваемого предмета")
        .await;
    wait_for_count(&browser, "my-results", 2).await;
    let texts = texts_of(&browser, "my-results").await;
    assert_eq!(texts.len(), 2);
    let own = texts
        .iter()
        .find(|t| t.contains("Самооценка профессиональных компетенций"))
        .expect("the self-assessment's card");
    assert!(
        own.contains("К.2 Профессиональное взаимодействие с коллегами"),
        "{own}"
    );
    assert!(texts.iter().any(|t| t.contains("Региональная диагностика")));
    browser.screenshot("self-assessment-deficits").await;
}

/// An XLSX workbook with these rows (the first is the header), as a testing platform exports.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r, c, n).unwrap(),
                _ => sheet.write_string(r, c, *cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_regional_manager_imports_an_entry_diagnostic_from_xlsx_through_the_wizard() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    // A new entry diagnostic of the region, with no results yet.
    let manager = app.as_user("manager@iom.test").await;
    let frameworks: Vec<shared::dto::FrameworkDto> = manager.get_json("/api/v1/frameworks").await;
    let fw = frameworks.iter().find(|f| f.region_id.is_none()).unwrap();
    let campaign: shared::dto::CampaignDto = e2e::ok_json(
        manager
            .post("/api/v1/diagnostics/campaigns")
            .json(
                &json!({ "name": "Входная диагностика 2027 из XLSX", "level": "regional",
                "kind": "entry", "framework_id": fw.id, "date": "2027-02-01",
                "organiser_id": app.demo.region }),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    // One row per result: an unknown competency code and an unknown person.
    let broken = dir.path().join("broken.xlsx");
    std::fs::write(
        &broken,
        xlsx(&[
            &["Email", "Компетенция", "Балл"],
            &["teacher@iom.test", "П.1", "40"],
            &["teacher@iom.test", "Х.99", "50"],
            &["nobody@nowhere.ru", "П.2", "60"],
        ]),
    )
    .unwrap();
    // One row per teacher, competency codes as columns.
    let good = dir.path().join("results.xlsx");
    std::fs::write(
        &good,
        xlsx(&[
            &["ФИО", "Email", "П.1", "П.2", "К.2"],
            &[
                "Иванова Мария Петровна",
                "teacher@iom.test",
                "35",
                "72",
                "91",
            ],
        ]),
    )
    .unwrap();

    sign_in(&browser, &app, "manager@iom.test").await;
    browser
        .client
        .goto(&app.url(&format!("/diagnostics/{}", campaign.id)))
        .await
        .unwrap();
    browser.wait_for_text("Результатов пока нет.").await;

    // The errors are shown per row, and there is nothing to commit.
    browser
        .wait_for("[data-testid=import-file]")
        .await
        .send_keys(broken.to_str().unwrap())
        .await
        .unwrap();
    browser.wait_for("[data-testid=import-preview]").await;
    browser
        .wait_for_text("неизвестный код компетенции «Х.99»")
        .await;
    browser
        .wait_for_text("строк с ошибками — 1, не найдено — 1")
        .await;
    wait_for_count(&browser, "import-row", 2).await;
    assert!(
        browser
            .client
            .find_all(Locator::Css("[data-testid=import-commit]"))
            .await
            .unwrap()
            .is_empty(),
        "a file with errors cannot be committed"
    );
    browser.screenshot("diagnostic-import-errors").await;

    // The corrected file: previewed, committed, and the results appear.
    browser
        .wait_for("[data-testid=import-file]")
        .await
        .send_keys(good.to_str().unwrap())
        .await
        .unwrap();
    browser
        .wait_for_text("педагогов — 1, результатов — 3, строк с ошибками — 0, не найдено — 0")
        .await;
    click(&browser, "[data-testid=import-commit]").await;
    let done = browser
        .wait_for("[data-testid=import-done]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(done, "Загружено: педагогов — 1, результатов — 3.");
    let row = browser
        .wait_for("[data-testid=result-person]")
        .await
        .text()
        .await
        .unwrap();
    assert!(row.contains("Иванова Мария Петровна"), "{row}");
    assert!(
        row.contains("35") && row.contains("72") && row.contains("91"),
        "{row}"
    );
    browser.screenshot("diagnostic-import-done").await;

    // The teacher sees them in «Мои диагностики», with the proposed deficit.
    sign_out(&browser).await;
    sign_in(&browser, &app, "teacher@iom.test").await;
    browser
        .client
        .goto(&app.url("/my-diagnostics"))
        .await
        .unwrap();
    browser
        .wait_for_text("Входная диагностика 2027 из XLSX")
        .await;
    let texts = texts_of(&browser, "my-results").await;
    let card = texts
        .iter()
        .find(|t| t.contains("Входная диагностика 2027 из XLSX"))
        .expect("the imported diagnostic's card");
    assert!(
        card.contains("П.1 Владение содержанием преподаваемого предмета"),
        "{card}"
    );
}

#[tokio::test]
async fn a_municipal_coordinator_exports_with_a_progress_bar_counting_to_the_announced_rows() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут для выгрузки").await;
    fill(&teacher, route).await;

    sign_in(&browser, &app, "municipal@iom.test").await;
    browser.client.goto(&app.url("/routes")).await.unwrap();
    // The CSV streams through the reader: its rows are counted against X-Total-Rows.
    click(&browser, "[data-testid=export-deficits-csv]").await;
    let done = browser
        .wait_for("[data-testid=export-done]")
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("строк 2 из 2 (100 %)"), "{done}");
    // The workbook: its bytes against Content-Length.
    click(&browser, "[data-testid=export-routes-xlsx]").await;
    let done = browser
        .wait_for(".export-button:has([data-testid=export-routes-xlsx]) [data-testid=export-done]")
        .await
        .text()
        .await
        .unwrap();
    assert!(done.ends_with("(100 %)"), "{done}");
    browser.screenshot("export-done").await;

    // The calendar offers the events export to organisers.
    browser.client.goto(&app.url("/catalogue")).await.unwrap();
    click(&browser, "[data-testid=export-events-csv]").await;
    let done = browser
        .wait_for("[data-testid=export-done]")
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("строк 0 из 0 (100 %)"), "{done}");
}

/// Waits for an element with this `data-testid` whose text contains `text` (the element may
/// be re-rendered in between: what is waited for is the text, not an element found before).
async fn wait_for_testid_text(browser: &Browser, testid: &str, text: &str) {
    let xpath = format!("//*[@data-testid='{testid}'][contains(normalize-space(.), '{text}')]");
    wait_for_xpath(browser, &xpath, &format!("{testid} with «{text}»")).await;
}

#[tokio::test]
async fn a_regional_manager_copies_the_default_framework_edits_the_draft_and_publishes_it() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    sign_in(&browser, &app, "manager@iom.test").await;
    let c = &browser.client;

    // Diagnostics → «Рамки компетенций» → the platform's default framework.
    click(&browser, "a[href='/diagnostics']").await;
    click(&browser, "nav.tabs a[href='/frameworks']").await;
    wait_for_testid_text(&browser, "framework-row", "По умолчанию").await;
    browser.screenshot("frameworks").await;
    click(&browser, "[data-testid=framework-row] a").await;
    wait_for_testid_text(&browser, "framework-status", "Опубликована").await;
    browser
        .wait_for_text("Владение содержанием преподаваемого предмета")
        .await;
    // A published version is read, not edited: only a copy can be made.
    assert!(
        c.find_all(Locator::Css("[data-testid=framework-editor]"))
            .await
            .unwrap()
            .is_empty()
    );
    click(&browser, "[data-testid=copy-framework]").await;

    // The copy opens as the region's draft, in the editor.
    wait_for_testid_text(&browser, "framework-status", "Черновик").await;
    let row = "[data-testid=competency-editor][data-code='П.1']";
    click(&browser, &format!("{row} [data-testid=edit-competency]")).await;
    set_value(
        &browser,
        &format!("{row} input[id$='-name']"),
        "Владение содержанием предмета и его методикой",
    )
    .await;
    set_value(&browser, &format!("{row} input[id$='-low-max']"), "39").await;
    set_value(&browser, &format!("{row} input[id$='-medium-max']"), "74,5").await;
    browser.screenshot("framework-editor").await;
    click(&browser, "[data-testid=save-framework]").await;
    wait_for_testid_text(&browser, "framework-notice", "Черновик сохранён").await;

    // Publishing asks first, and says what it means.
    click(&browser, "[data-testid=publish-framework]").await;
    browser.wait_for_text("становится неизменяемой").await;
    click(&browser, "[data-testid=confirm-publish]").await;
    wait_for_testid_text(&browser, "framework-status", "Опубликована").await;
    wait_for_testid_text(
        &browser,
        "competency-row",
        "Владение содержанием предмета и его методикой",
    )
    .await;
    for css in [
        "[data-testid=framework-editor]",
        "[data-testid=edit-competency]",
        "[data-testid=save-framework]",
        "[data-testid=publish-framework]",
    ] {
        assert!(
            c.find_all(Locator::Css(css)).await.unwrap().is_empty(),
            "{css} on a published version"
        );
    }
    let ranges = browser
        .wait_for("[data-testid=competency-row][data-code='П.1'] [data-testid=competency-ranges]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ranges.contains("низкий — до 39, средний — до 74.5"),
        "{ranges}"
    );
    browser.screenshot("framework-published").await;

    // The server holds the region's published version with the edits.
    let manager = app.as_user("manager@iom.test").await;
    let all: Vec<shared::dto::FrameworkDto> = manager.get_json("/api/v1/frameworks").await;
    let own = all
        .iter()
        .find(|f| f.region_id == Some(app.demo.region))
        .expect("the region's framework");
    assert_eq!(own.status, shared::dto::FrameworkStatus::Published);
    let p1 = own.competencies().find(|c| c.code == "П.1").unwrap();
    assert_eq!(p1.name, "Владение содержанием предмета и его методикой");
    assert_eq!((p1.low_max, p1.medium_max), (Some(39.0), Some(74.5)));
}

/// Console messages that report a Content-Security-Policy violation.
fn csp_violations(console: &[String]) -> Vec<&String> {
    console
        .iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
        .collect()
}

#[tokio::test]
async fn the_spa_and_the_api_documentation_work_under_the_content_security_policy() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    // An event whose link was stored before links were checked: it must not become clickable.
    let muni = app.as_user("municipal@iom.test").await;
    let event = crate::catalogue::publish(
        &muni,
        json!({
            "title": "Семинар со старой ссылкой", "kind": "seminar", "format": "online",
            "organiser_id": app.demo.municipality_a,
            "link": "https://iro.example.ru/events/7",
            "starts_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string(),
        }),
    )
    .await;
    let stored = "javascript:alert(document.cookie)";
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        api::db::entities::event::Entity::update_many()
            .col_expr(api::db::entities::event::Column::Link, Expr::value(stored))
            .filter(api::db::entities::event::Column::Id.eq(event.summary.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    sign_in(&browser, &app, "teacher@iom.test").await;
    browser.wait_for_text("Личный кабинет").await;
    browser.wait_for_text("Смирнова").await;

    c.goto(&app.url(&format!("/catalogue/{}", event.summary.id)))
        .await
        .unwrap();
    browser.wait_for_text("Семинар со старой ссылкой").await;
    browser.wait_for_text(stored).await;
    let script_links = c
        .find_all(Locator::Css("a[href^='javascript']"))
        .await
        .unwrap();
    assert!(script_links.is_empty(), "a script link was rendered");

    // The diagnostics pages draw bars with dynamic widths (set through the CSS object model).
    c.goto(&app.url("/diagnostics")).await.unwrap();
    browser.wait_for("[data-testid=user-name]").await;
    browser.screenshot("csp-cabinet").await;
    let console = browser.console().await;
    assert!(
        csp_violations(&console).is_empty(),
        "the SPA broke its policy: {console:#?}"
    );

    c.goto(&app.url("/api/docs/")).await.unwrap();
    browser.wait_for(".swagger-ui .info .title").await;
    browser.wait_for(".opblock").await;
    browser.screenshot("csp-api-docs").await;
    let console = browser.console().await;
    assert!(
        csp_violations(&console).is_empty(),
        "the API documentation broke its policy: {console:#?}"
    );
}

#[tokio::test]
async fn a_new_e_mail_shows_as_pending_until_the_person_confirms_it_from_the_new_mailbox() {
    let mut sink = e2e::smtp::SmtpSink::start().await;
    let Some(app) = app_with_spa_and(Some(sink.url())).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    let teacher = e2e::fixtures::id_of(&app, "teacher@iom.test").await;

    // The coordinator re-addresses the teacher: the card shows the change as pending.
    sign_in(&browser, &app, "coordinator@iom.test").await;
    c.goto(&app.url(&format!("/admin/people/{teacher}")))
        .await
        .unwrap();
    click(&browser, "[data-testid=edit-profile]").await;
    set_value(&browser, "#person-email", "maria.ivanova@school1.test").await;
    click(&browser, "[data-testid=save-profile]").await;
    browser.wait_for("[data-testid=card-message]").await;
    let pending = browser
        .wait_for("[data-testid=pending-email]")
        .await
        .text()
        .await
        .unwrap();
    assert!(pending.contains("maria.ivanova@school1.test"), "{pending}");
    assert!(pending.contains("ждёт подтверждения"), "{pending}");
    browser.screenshot("person-pending-email").await;
    sign_out(&browser).await;

    // The teacher sees it in the profile, with the old address still in force.
    sign_in(&browser, &app, "teacher@iom.test").await;
    c.goto(&app.url("/profile")).await.unwrap();
    let pending = browser
        .wait_for("[data-testid=pending-email]")
        .await
        .text()
        .await
        .unwrap();
    assert!(pending.contains("maria.ivanova@school1.test"), "{pending}");

    // The link from the new mailbox: opening it changes nothing until the button is pressed.
    app.run_jobs().await;
    let mut token = None;
    for _ in 0..2 {
        let mail = sink.inbox.recv().await.unwrap();
        if mail.to == ["maria.ivanova@school1.test"] {
            token = mail
                .text()
                .split("/confirm-email/")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_owned);
        }
    }
    let token = token.expect("the confirmation link");
    c.goto(&app.url(&format!("/confirm-email/{token}")))
        .await
        .unwrap();
    let shown = browser
        .wait_for("[data-testid=new-email]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(shown, "maria.ivanova@school1.test");
    browser.screenshot("confirm-email").await;
    assert_eq!(
        app.login_response("teacher@iom.test", "demo12345")
            .await
            .status(),
        reqwest::StatusCode::OK,
        "not changed by opening the page"
    );
    click(&browser, "[data-testid=confirm-email]").await;
    browser.wait_for("[data-testid=email-confirmed]").await;
    browser.screenshot("email-confirmed").await;
    assert_eq!(
        app.login_response("maria.ivanova@school1.test", "demo12345")
            .await
            .status(),
        reqwest::StatusCode::OK
    );
    // The link is spent.
    c.goto(&app.url(&format!("/confirm-email/{token}")))
        .await
        .unwrap();
    browser.wait_for_text("Ссылка недействительна").await;
}

#[tokio::test]
async fn the_tutor_sees_the_bell_and_the_to_do_agrees_from_it_and_the_teacher_is_told() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Смысловое чтение на уроках истории").await;
    fill(&teacher, route).await;

    let Some(browser) = Browser::start().await else {
        return;
    };
    // The teacher submits from the route's page.
    sign_in(&browser, &app, "teacher@iom.test").await;
    click(&browser, "a[href='/my-routes']").await;
    click(&browser, "[data-testid=route-row] a").await;
    click(&browser, "button[data-action=submit]").await;
    browser.wait_for("#action-form").await;
    click(&browser, "[data-testid=confirm-action]").await;
    wait_for_testid_text(&browser, "route-status", "На рассмотрении у тьютора").await;
    // The workers deliver the notices (here: the test runs the queue).
    app.run_jobs().await;
    sign_out(&browser).await;

    // The tutor: the bell counts one, and «Что сделать» leads to the route.
    sign_in(&browser, &app, "tutor@iom.test").await;
    wait_for_testid_text(&browser, "bell-count", "1").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='task' and @data-kind='agree_route']//a[contains(., 'Смысловое чтение')]",
        "the tutor's to-do item",
    )
    .await;
    browser.screenshot("cabinet-tasks-tutor").await;
    click(&browser, "[data-testid=task][data-kind=agree_route] a").await;
    click(&browser, "button[data-action=tutor_agree]").await;
    browser.wait_for("#action-form").await;
    click(&browser, "[data-testid=confirm-action]").await;
    browser
        .wait_for_text("Маршрут согласован и передан заместителю директора.")
        .await;
    app.run_jobs().await;
    sign_out(&browser).await;

    // The teacher finds the agreement in the notification centre and marks it read.
    sign_in(&browser, &app, "teacher@iom.test").await;
    wait_for_testid_text(&browser, "bell-count", "1").await;
    click(&browser, "[data-testid=bell]").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='notification' and @data-read='false']//a[contains(., 'согласован')]",
        "the teacher's notice",
    )
    .await;
    browser.screenshot("notifications-teacher").await;
    click(&browser, "[data-testid=read-all]").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='notification' and @data-read='true']",
        "the notice marked read",
    )
    .await;
    wait_for_xpath(
        &browser,
        "//a[@data-testid='bell' and not(.//*[@data-testid='bell-count'])]",
        "the bell without a count",
    )
    .await;
}

#[tokio::test]
async fn the_unsubscribe_link_stops_the_letters_and_the_profile_switches_them_per_kind() {
    let mut sink = e2e::smtp::SmtpSink::start().await;
    let Some(app) = app_with_spa_and(Some(sink.url())).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    // The teacher submits: the tutor's letter ends with the unsubscribe link.
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Смысловое чтение на уроках истории").await;
    let route = fill(&teacher, route).await;
    step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    app.run_jobs().await;
    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["tutor@iom.test"]);
    let token = mail
        .text()
        .split("/unsubscribe/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .expect("the unsubscribe link");

    // Opened without signing in.
    c.goto(&app.url(&format!("/unsubscribe/{token}")))
        .await
        .unwrap();
    let said = browser
        .wait_for("[data-testid=unsubscribed]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        said.starts_with("Вы отписались от писем: «Маршрут ждёт моего решения"),
        "{said}"
    );
    browser.screenshot("unsubscribed").await;

    // The tutor's profile shows that kind off, the others as they were; a switch turns
    // comments on.
    sign_in(&browser, &app, "tutor@iom.test").await;
    c.goto(&app.url("/profile")).await.unwrap();
    browser.wait_for("#mail-route_step:not(:checked)").await;
    browser.wait_for("#mail-returned:checked").await;
    click(&browser, "#mail-comment").await;
    browser.wait_for_text("Сохранено").await;
    browser.wait_for("#mail-comment:checked").await;
    browser.screenshot("profile-mail-settings").await;
    c.refresh().await.unwrap();
    browser.wait_for("#mail-comment:checked").await;
    browser.wait_for("#mail-route_step:not(:checked)").await;
}

#[tokio::test]
async fn a_municipal_coordinator_drills_down_from_the_dashboard_to_a_school_and_downloads_it() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут для мониторинга").await;
    fill(&teacher, route).await;

    sign_in(&browser, &app, "municipal@iom.test").await;
    // The cabinet's card leads to the dashboard of their municipality.
    browser.wait_for("[data-testid=monitoring-card]").await;
    click(&browser, "[data-testid=monitoring-card] a.link-arrow").await;
    wait_for_testid_text(&browser, "monitoring-unit", "Город Светлогорск").await;
    browser.wait_for("[data-testid=chart-status] rect").await;
    browser.wait_for("[data-testid=chart-children]").await;
    browser.screenshot("route-dashboard-municipality").await;

    // A school's name opens its own dashboard, with its teachers below.
    click_xpath(
        &browser,
        "//*[@data-testid='monitoring-children']//a[contains(., 'Гимназия № 1')]",
    )
    .await;
    wait_for_testid_text(&browser, "monitoring-unit", "Гимназия № 1").await;
    wait_for_testid_text(&browser, "monitoring-trail", "Город Светлогорск").await;
    wait_for_testid_text(&browser, "monitoring-children", "Иванова").await;
    wait_for_testid_text(&browser, "m-routes", "1").await;

    // The workbook is fetched with the session and saved; the button comes back, no error.
    click(&browser, "[data-testid=monitoring-xlsx]").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='monitoring-xlsx'][@aria-busy='false']",
        "the download to finish",
    )
    .await;
    let fetched = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/analytics/routes.xlsx'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched, json!(true));
    assert!(
        browser
            .client
            .find_all(Locator::Css(".alert-error"))
            .await
            .unwrap()
            .is_empty()
    );
    browser.screenshot("route-dashboard").await;
}

#[tokio::test]
async fn the_school_coordinator_registers_a_paper_consent_with_its_scan_on_the_persons_card() {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let teacher = e2e::fixtures::person(
        &app.db,
        "paper.consent@iom.test",
        shared::Role::Teacher,
        Some(app.demo.school),
    )
    .await;
    let scan = std::env::temp_dir().join(format!("consent-{teacher}.pdf"));
    std::fs::write(&scan, b"%PDF-1.4\nsigned consent\n%%EOF").unwrap();

    sign_in(&browser, &app, "coordinator@iom.test").await;
    browser
        .client
        .goto(&app.url(&format!("/admin/people/{teacher}")))
        .await
        .unwrap();
    browser.wait_for("[data-testid=person-consents] form").await;
    // Prefilled: the first purpose waiting for an answer, «Согласие дано», today.
    choose_file(&browser, "#paper-scan", &scan).await;
    click(&browser, "[data-testid=paper-consent-save]").await;
    wait_for_testid_text(&browser, "paper-consent-saved", "Согласие зарегистрировано").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='person-consent'][contains(., 'дано на бумаге')]",
        "the paper consent on the card",
    )
    .await;
    browser.screenshot("person-consents").await;
    let mine: shared::dto::ConsentsDto = app
        .as_user("paper.consent@iom.test")
        .await
        .get_json("/api/v1/me/consents")
        .await;
    let record = &mine.history[0];
    assert!(
        record.has_scan && record.registered_by.is_some(),
        "{record:#?}"
    );
    assert_eq!(mine.pending, 2, "the other two purposes still wait for her");
}

#[tokio::test]
async fn a_teacher_asks_to_erase_her_data_and_the_regional_manager_carries_it_out_and_sets_retention()
 {
    let Some(app) = app_with_spa().await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let person = e2e::fixtures::person(
        &app.db,
        "leaving@iom.test",
        shared::Role::Teacher,
        Some(app.demo.school),
    )
    .await;
    api::services::consents::give_all_for_demo(&app.db, person, app.demo.region)
        .await
        .unwrap();
    // The questions «Точно?» are answered yes.
    let agree = || async {
        browser
            .client
            .execute("window.confirm = () => true;", vec![])
            .await
            .unwrap();
    };

    sign_in(&browser, &app, "leaving@iom.test").await;
    browser.client.goto(&app.url("/profile")).await.unwrap();
    browser.wait_for("[data-testid=erasure-ask]").await;
    type_into(&browser, "#erasure-reason", "Ухожу из профессии").await;
    agree().await;
    click(&browser, "[data-testid=erasure-ask]").await;
    browser.wait_for("[data-testid=erasure-pending]").await;
    sign_out(&browser).await;

    sign_in(&browser, &app, "manager@iom.test").await;
    click(&browser, "a[href='/admin/units']").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='erasure-request'][contains(., 'Ухожу из профессии')]",
        "the request with its reason",
    )
    .await;
    agree().await;
    click_xpath(
        &browser,
        "//*[@data-testid='erasure-request'][contains(., 'Ухожу из профессии')]//button[contains(., 'Удалить данные')]",
    )
    .await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='erasure-request'][contains(., 'Данные удалены')][contains(., 'учётная запись удалена: 1')]",
        "the request carried out, with what was erased",
    )
    .await;
    let res = app.login_response("leaving@iom.test", "demo12345").await;
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);

    // The region's retention: files kept for a year, then the rules applied at once.
    let region = app.demo.region;
    set_value(
        &browser,
        &format!("[id='retention-{region}-files_years']"),
        "1",
    )
    .await;
    click_xpath(
        &browser,
        "//*[@data-testid='retention']//button[contains(., 'Сохранить сроки')]",
    )
    .await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='retention']//*[@role='status'][contains(., 'Сохранено')]",
        "the periods saved",
    )
    .await;
    agree().await;
    click_xpath(
        &browser,
        "//*[@data-testid='retention']//button[contains(., 'Выполнить сейчас')]",
    )
    .await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='retention-run'][contains(., 'Волкова Татьяна Сергеевна')][contains(., 'ничего не истекло')]",
        "the run in the report",
    )
    .await;
    browser.screenshot("retention").await;
    let dto: shared::dto::RetentionDto = app
        .as_user("manager@iom.test")
        .await
        .get_json(&format!("/api/v1/units/{region}/retention"))
        .await;
    assert_eq!(dto.policy.files_years, 1);
    assert_eq!(dto.policy.routes_years, 3);
}

#[tokio::test]
async fn a_teacher_publishes_her_product_and_a_tutor_finds_it_in_the_bank_and_recommends_it() {
    let Some(dist) = built_spa() else {
        assert!(!required(), "the SPA must be built for browser tests");
        return;
    };
    let app = TestApp::spawn_with(e2e::Options {
        web_dir: Some(dist),
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
    })
    .await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    // A second tutee of the demo tutor, who has agreed to the tutor's support.
    let colleague = e2e::fixtures::person(
        &app.db,
        "colleague@iom.test",
        shared::Role::Teacher,
        Some(app.demo.school),
    )
    .await;
    api::services::consents::give_all_for_demo(&app.db, colleague, app.demo.region)
        .await
        .unwrap();
    let tutor = e2e::fixtures::id_of(&app, "tutor@iom.test").await;
    e2e::fixtures::assign(
        &app.db,
        shared::dto::AssignmentKind::Tutor,
        tutor,
        colleague,
        true,
    )
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let certificates: Vec<shared::dto::documents::CertificateDto> =
        teacher.get_json("/api/v1/me/certificates").await;
    let route = certificates[0].route_id;
    let product: shared::dto::RouteDto = teacher.get_json(&format!("/api/v1/routes/{route}")).await;
    let title = product.reflective.products[0].title.clone();

    // The author publishes from the route's reflective tab: the subject comes prefilled.
    sign_in(&browser, &app, "teacher@iom.test").await;
    browser
        .client
        .goto(&app.url(&format!("/routes/{route}?tab=reflective")))
        .await
        .unwrap();
    browser.wait_for("[data-testid=publish]").await;
    click(&browser, "[data-testid=publish]").await;
    browser.wait_for("[data-testid=publish-link]").await;
    sign_out(&browser).await;

    // The tutor finds it by a word of its title and opens it.
    sign_in(&browser, &app, "tutor@iom.test").await;
    click(&browser, "a[href='/bank']").await;
    let word = title.split_whitespace().next().unwrap().to_owned();
    type_into(&browser, "#bank-q", &word).await;
    click_xpath(
        &browser,
        &format!("//*[@data-testid='bank-product']//a[contains(., '{title}')]"),
    )
    .await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='bank-counts'][contains(., '1 просмотр')]",
        "the tutor's view counted",
    )
    .await;
    // …and recommends it to her other tutee (the author is not offered to herself by the server).
    click_xpath(
        &browser,
        "//fieldset[.//legend[contains(., 'Мои педагоги')]]//label[contains(., 'colleague')]",
    )
    .await;
    type_into(&browser, "#rec-note", "Задачи подойдут для вашего 7 класса").await;
    click(&browser, "[data-testid=recommend]").await;
    let done = browser
        .wait_for("[data-testid=recommend-done]")
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("1 педагогу"), "{done}");
    browser.screenshot("bank-recommend").await;
    sign_out(&browser).await;

    // The colleague finds it in «Что сделать», reads who recommended it, and adds it to her draft.
    let c = app.as_user("colleague@iom.test").await;
    crate::routes::fill(
        &c,
        crate::routes::create(&c, "Функциональная грамотность").await,
    )
    .await;
    sign_in(&browser, &app, "colleague@iom.test").await;
    click_xpath(
        &browser,
        &format!("//a[contains(., 'Изучить методический продукт «{title}»')]"),
    )
    .await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='bank-recommended-to-me'][contains(., '7 класса')]",
        "who recommended it and why",
    )
    .await;
    click(&browser, "[data-testid=bank-adopt]").await;
    browser.wait_for("[data-testid=bank-adopted]").await;
    browser.screenshot("bank-product").await;
}

#[tokio::test]
async fn a_teacher_picks_the_portfolio_items_and_downloads_it_and_the_coordinator_the_summary() {
    let Some(dist) = built_spa() else {
        assert!(
            !required(),
            "the SPA must be built (trunk build --release) for browser tests"
        );
        eprintln!("skipping a browser test: the SPA is not built");
        return;
    };
    let app = TestApp::spawn_with(e2e::Options {
        web_dir: Some(dist),
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
    })
    .await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    sign_in(&browser, &app, "teacher@iom.test").await;
    browser.client.goto(&app.url("/profile")).await.unwrap();
    // The portfolio, a section per criterion, every item ticked.
    wait_for_testid_text(&browser, "portfolio", "1. Профессиональное развитие").await;
    wait_for_testid_text(&browser, "portfolio", "5. Наставничество").await;
    wait_for_testid_text(&browser, "portfolio-hours", "за 3 года — 36 ч").await;
    let boxes = browser
        .client
        .find_all(Locator::Css("[data-testid=portfolio] input[type=checkbox]"))
        .await
        .unwrap();
    assert!(boxes.len() >= 4, "{} items", boxes.len());
    // The teacher leaves out the public final event and the mentoring.
    for kind in ["public_event", "mentoring_received"] {
        for b in browser
            .client
            .find_all(Locator::Css(&format!(
                "[data-testid=portfolio] input[data-key^='{kind}:']"
            )))
            .await
            .unwrap()
        {
            b.click().await.unwrap();
        }
    }
    browser.screenshot("portfolio-builder").await;
    for (button, ext) in [("portfolio-pdf", "pdf"), ("portfolio-docx", "docx")] {
        click(&browser, &format!("[data-testid={button}]")).await;
        wait_for_xpath(
            &browser,
            &format!("//*[@data-testid='{button}'][@aria-busy='false']"),
            "the download to finish",
        )
        .await;
        let asked = browser
            .client
            .execute(
                &format!(
                    "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/v1/me/portfolio.{ext}?items=')).map(n => decodeURIComponent(n));"
                ),
                vec![],
            )
            .await
            .unwrap();
        let asked = asked.as_array().unwrap();
        assert_eq!(asked.len(), 1, "{asked:?}");
        let url = asked[0].as_str().unwrap();
        assert!(
            url.contains("route:") && url.contains("certificate:"),
            "{url}"
        );
        assert!(
            !url.contains("public_event:") && !url.contains("mentoring_received:"),
            "{url}"
        );
    }
    assert!(
        browser
            .client
            .find_all(Locator::Css(".alert-error"))
            .await
            .unwrap()
            .is_empty()
    );

    // The school coordinator downloads the school's summary from its dashboard.
    sign_out(&browser).await;
    sign_in(&browser, &app, "coordinator@iom.test").await;
    browser
        .client
        .goto(&app.url(&format!("/monitoring?unit={}", app.demo.school)))
        .await
        .unwrap();
    wait_for_testid_text(&browser, "monitoring-unit", "Гимназия № 1").await;
    click(&browser, "[data-testid=portfolio-summary-xlsx]").await;
    wait_for_xpath(
        &browser,
        "//*[@data-testid='portfolio-summary-xlsx'][@aria-busy='false']",
        "the summary download to finish",
    )
    .await;
    let fetched = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').some(e => e.name.includes('/portfolio.xlsx'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched, json!(true));
    assert!(
        browser
            .client
            .find_all(Locator::Css(".alert-error"))
            .await
            .unwrap()
            .is_empty()
    );
    browser.screenshot("portfolio-summary").await;
}

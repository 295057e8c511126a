//! The SPA in headless Chromium.

use std::time::Duration;

use e2e::TestApp;
use e2e::browser::{Browser, built_spa, required};
use fantoccini::Locator;
use serde_json::json;
use shared::dto::{Page, RouteDto, RouteSummary};
use shared::workflow::RouteAction;
use shared::{ActivityStatus, RouteStatus};

use crate::routes::{create, fill, step_ok};

async fn app_with_spa() -> Option<TestApp> {
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
            ..Default::default()
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
async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
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
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("waiting for {n} × {testid}: {e}"));
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
    let cards = c
        .find_all(Locator::Css("[data-testid=my-results]"))
        .await
        .unwrap();
    assert_eq!(cards.len(), 2);
    let mut texts = Vec::new();
    for card in cards {
        texts.push(card.text().await.unwrap());
    }
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

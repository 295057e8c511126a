//! The SPA in headless Chromium.

use e2e::TestApp;
use e2e::browser::{Browser, built_spa, required};
use fantoccini::Locator;

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

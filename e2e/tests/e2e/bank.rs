//! The region's bank of methodological products: a product that passed expertise is published
//! with its author's consent, found by competency and words, recommended to a teacher (who is
//! told and finds it in «Что сделать»), taken into another route's roadmap, and taken off the
//! bank. Strangers — another region, a colleague who is not the author, a teacher who does not
//! recommend — try each step and fail.

use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;
use shared::Role;
use shared::bank::BankStatus;
use shared::dto::catalogue::RecommendResult;
use shared::dto::*;
use shared::events::{EventKind, TodoKind};
use uuid::Uuid;

use crate::documents::{Attach, completed_with};
use crate::routes::{create, fill};

/// The demo school's id.
async fn demo_school(app: &TestApp) -> Uuid {
    api::db::users::find_by_email(&app.db, "teacher@iom.test")
        .await
        .unwrap()
        .unwrap()
        .workplace_id
        .unwrap()
}

async fn publish(
    user: &User<'_>,
    route: Uuid,
    product: Uuid,
    body: serde_json::Value,
) -> reqwest::Response {
    user.post(&format!(
        "/api/v1/routes/{route}/products/{product}/publication"
    ))
    .json(&body)
    .send()
    .await
    .unwrap()
}

async fn bank(user: &User<'_>, query: &str) -> Page<BankProductSummary> {
    user.get_json(&format!("/api/v1/products?{query}")).await
}

fn ids(page: &Page<BankProductSummary>) -> Vec<Uuid> {
    page.items.iter().map(|p| p.id).collect()
}

#[tokio::test]
async fn a_product_that_passed_expertise_is_published_found_recommended_and_taken_into_a_roadmap() {
    let app = TestApp::spawn().await;
    let route = completed_with(&app, Attach::Product).await;
    let product = route.reflective.products[0].clone();
    let file = product.files[0].clone();
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;

    // The author's screen: may be published, the subject prefilled from the position.
    let states: Vec<ProductPublication> = teacher
        .get_json(&format!("/api/v1/routes/{}/publication", route.id))
        .await;
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].product_id, product.id);
    assert_eq!(states[0].blocked, None, "{states:#?}");
    assert_eq!(states[0].bank_product_id, None);

    let res = publish(
        &teacher,
        route.id,
        product.id,
        json!({ "subject": "Математика", "level": "basic" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let published: BankProductDto = ok_json(res).await;
    let id = published.summary.id;
    assert_eq!(published.summary.status, BankStatus::Published);
    assert_eq!(published.summary.title, product.title);
    assert_eq!(published.summary.author.full_name, "Иванова Мария Петровна");
    assert!(published.summary.author.school.is_some());
    assert!(published.verdict.positive);
    assert_eq!(
        published.verdict.expert.as_deref(),
        Some("Лебедев Игорь Павлович")
    );
    assert_eq!(published.files.len(), 1);
    assert_eq!(
        published.deficits.len(),
        route
            .diagnostic
            .deficits
            .iter()
            .filter(|d| d.confirmed)
            .count()
    );
    let comps: Vec<Uuid> = published
        .summary
        .competencies
        .iter()
        .map(|c| c.id)
        .collect();
    assert!(!comps.is_empty(), "the route's deficits name competencies");

    // Twice is refused; the state says so.
    let again = publish(&teacher, route.id, product.id, json!({})).await;
    assert_eq!(
        problem(again, StatusCode::CONFLICT).await.code,
        "product_published"
    );
    let states: Vec<ProductPublication> = teacher
        .get_json(&format!("/api/v1/routes/{}/publication", route.id))
        .await;
    assert_eq!(states[0].bank_product_id, Some(id));
    assert_eq!(
        states[0].blocked.as_ref().map(|b| b.code.as_str()),
        Some("product_published")
    );

    // The tutor finds it by competency and by words; not by another competency or nonsense.
    assert!(ids(&bank(&tutor, &format!("competency_id={}", comps[0])).await).contains(&id));
    let other_comp: Uuid = api::db::entities::competency::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .find(|c| !comps.contains(c))
        .unwrap();
    assert!(
        bank(&tutor, &format!("competency_id={other_comp}"))
            .await
            .items
            .is_empty()
    );
    let word = product
        .title
        .split_whitespace()
        .next()
        .unwrap()
        .to_lowercase();
    assert!(ids(&bank(&tutor, &format!("q={}", urlencode(&word))).await).contains(&id));
    assert!(ids(&bank(&tutor, "q=%D0%B6%D1%83%D1%80%D0%B0%D0%B2%D0%BB%D1%8C").await).is_empty());
    assert!(ids(&bank(&tutor, "level=basic").await).contains(&id));
    assert!(bank(&tutor, "level=primary").await.items.is_empty());

    // Views count colleagues, not the author.
    let seen: BankProductDto = tutor.get_json(&format!("/api/v1/products/{id}")).await;
    assert_eq!(seen.summary.views, 1);
    assert!(seen.can_recommend && !seen.can_withdraw);
    let own: BankProductDto = teacher.get_json(&format!("/api/v1/products/{id}")).await;
    assert_eq!(own.summary.views, 1);
    assert!(own.can_withdraw && !own.can_recommend);

    // Another region sees nothing of it, not even the file.
    fixtures::other_region_manager(&app.db, "stranger@iom.test").await;
    let stranger = app.as_user("stranger@iom.test").await;
    assert_eq!(bank(&stranger, "").await.total, 0);
    let res = stranger
        .get(&format!("/api/v1/products/{id}"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let region = api::db::units::path(
        &api::db::units::find(&app.db, demo_school(&app).await)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap()
    .region;
    let res = stranger
        .get(&format!("/api/v1/products?region_id={region}"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let res = stranger.get(&file.url).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // A colleague of the region who cannot read the route downloads the product's file.
    let school = demo_school(&app).await;
    let colleague_id =
        fixtures::person(&app.db, "colleague@iom.test", Role::Teacher, Some(school)).await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, tutor_id, colleague_id, true).await;
    let colleague = app.as_user("colleague@iom.test").await;
    let res = colleague.get(&file.url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(&res.bytes().await.unwrap()[..8], b"%PDF-1.4");
    // …but not the route's other files (an activity's evidence stays private).
    let route_res = colleague
        .get(&format!("/api/v1/routes/{}", route.id))
        .send()
        .await
        .unwrap();
    problem(route_res, StatusCode::NOT_FOUND).await;

    // The tutor recommends it to her tutee; not to its author, not to a stranger's teacher.
    let res = tutor
        .post(&format!("/api/v1/products/{id}/recommendations"))
        .json(&json!({ "teacher_ids": [colleague_id], "note": "Посмотрите задачи для 7 класса" }))
        .send()
        .await
        .unwrap();
    let r: RecommendResult = ok_json(res).await;
    assert_eq!(r.recommended, 1);
    let author_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let res = tutor
        .post(&format!("/api/v1/products/{id}/recommendations"))
        .json(&json!({ "teacher_ids": [author_id] }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        "validation_failed"
    );
    let unlinked =
        fixtures::person(&app.db, "unlinked@iom.test", Role::Teacher, Some(school)).await;
    let res = tutor
        .post(&format!("/api/v1/products/{id}/recommendations"))
        .json(&json!({ "teacher_ids": [unlinked] }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // A teacher recommends nothing to anyone.
    let res = colleague
        .post(&format!("/api/v1/products/{id}/recommendations"))
        .json(&json!({ "teacher_ids": [unlinked] }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;

    // She is told, finds it in «Что сделать» and among what was recommended to her.
    app.run_jobs().await;
    let notices: NotificationPage = colleague
        .get_json("/api/v1/me/notifications?limit=100")
        .await;
    let told: Vec<_> = notices
        .items
        .iter()
        .filter(|n| n.kind == EventKind::ProductRecommended)
        .collect();
    assert_eq!(told.len(), 1, "{notices:#?}");
    assert!(told[0].text.contains(&product.title) && told[0].text.contains("7 класса"));
    assert_eq!(
        told[0].link.as_deref(),
        Some(format!("/bank/{id}").as_str())
    );
    let tasks: TodoList = colleague.get_json("/api/v1/me/tasks").await;
    assert!(
        tasks
            .items
            .iter()
            .any(|t| t.kind == TodoKind::StudyProduct && t.link == format!("/bank/{id}")),
        "{tasks:#?}"
    );
    assert_eq!(ids(&bank(&colleague, "recommended=true").await), vec![id]);
    let opened: BankProductDto = colleague.get_json(&format!("/api/v1/products/{id}")).await;
    assert_eq!(opened.recommended_to_me.len(), 1);
    assert_eq!(opened.recommended_to_me[0].by, "Смирнова Ольга Викторовна");
    assert_eq!(opened.summary.views, 2);
    let tasks: TodoList = colleague.get_json("/api/v1/me/tasks").await;
    assert!(
        !tasks.items.iter().any(|t| t.kind == TodoKind::StudyProduct),
        "opened: done"
    );

    // She takes it into her draft: «изучить опыт коллеги» with the shared deficits filled in.
    let draft = fill(
        &colleague,
        create(&colleague, "Функциональная грамотность").await,
    )
    .await;
    let res = colleague
        .post(&format!("/api/v1/products/{id}/adoption"))
        .json(&json!({ "route_id": draft.id }))
        .send()
        .await
        .unwrap();
    let adopted: RouteDto = ok_json(res).await;
    let activity = adopted
        .activity
        .activities
        .iter()
        .find(|a| a.name.starts_with("Изучение опыта коллеги"))
        .expect("the new activity");
    assert!(activity.name.contains(&product.title) && activity.name.contains("Иванова М. П."));
    assert_eq!(
        activity.participation_form.as_deref(),
        Some("изучение опыта коллеги")
    );
    assert!(
        !activity.deficit_ids.is_empty(),
        "the shared deficit is linked: {activity:#?}"
    );
    let twice = colleague
        .post(&format!("/api/v1/products/{id}/adoption"))
        .json(&json!({ "route_id": draft.id }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(twice, StatusCode::CONFLICT).await.code,
        "product_in_roadmap"
    );
    // Nobody takes it into a route they cannot edit or see.
    let res = colleague
        .post(&format!("/api/v1/products/{id}/adoption"))
        .json(&json!({ "route_id": route.id }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = stranger
        .post(&format!("/api/v1/products/{id}/adoption"))
        .json(&json!({ "route_id": draft.id }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let counted: BankProductDto = tutor.get_json(&format!("/api/v1/products/{id}")).await;
    assert_eq!(counted.summary.uses, 1);

    // Only its author or the region's manager takes it off.
    let res = colleague
        .post(&format!("/api/v1/products/{id}/withdrawal"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let res = stranger
        .post(&format!("/api/v1/products/{id}/withdrawal"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let manager = app.as_user("manager@iom.test").await;
    let res = manager
        .post(&format!("/api/v1/products/{id}/withdrawal"))
        .json(&json!({ "reason": "Нужна ссылка на источник задач" }))
        .send()
        .await
        .unwrap();
    let off: BankProductDto = ok_json(res).await;
    assert_eq!(off.summary.status, BankStatus::Withdrawn);
    // Gone for colleagues, its file too; the author still sees it in her own list and is told.
    assert!(bank(&tutor, "").await.items.is_empty());
    let res = colleague
        .get(&format!("/api/v1/products/{id}"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let res = colleague.get(&file.url).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    assert_eq!(
        ids(&bank(&teacher, &format!("author_id={author_id}")).await),
        vec![id]
    );
    app.run_jobs().await;
    let notices: NotificationPage = teacher.get_json("/api/v1/me/notifications?limit=100").await;
    assert!(
        notices
            .items
            .iter()
            .any(|n| n.kind == EventKind::ProductWithdrawn
                && n.text.contains("Нужна ссылка на источник задач")),
        "{notices:#?}"
    );
    // What the manager took off, the author cannot put back herself.
    let res = publish(&teacher, route.id, product.id, json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "product_withdrawn_by_moderator"
    );
}

#[tokio::test]
async fn publishing_needs_a_positive_evaluation_and_the_authors_consent_and_a_no_takes_it_off() {
    let app = TestApp::spawn_with(e2e::Options {
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
        ..Default::default()
    })
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let certificates: Vec<shared::dto::documents::CertificateDto> =
        teacher.get_json("/api/v1/me/certificates").await;
    let route: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", certificates[0].route_id))
        .await;
    let product = route.reflective.products[0].id;

    // Not the author: the tutor reads the route but may not publish; a stranger does not see it.
    let tutor = app.as_user("tutor@iom.test").await;
    let res = publish(&tutor, route.id, product, json!({})).await;
    problem(res, StatusCode::FORBIDDEN).await;
    fixtures::other_region_manager(&app.db, "stranger@iom.test").await;
    let stranger = app.as_user("stranger@iom.test").await;
    let res = publish(&stranger, route.id, product, json!({})).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let res = stranger
        .get(&format!("/api/v1/routes/{}/publication", route.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    // A product of another route, and nonsense, are refused without a 500.
    let res = publish(&teacher, route.id, Uuid::now_v7(), json!({})).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let res = publish(
        &teacher,
        route.id,
        product,
        json!({ "level": "university" }),
    )
    .await;
    assert!(res.status().is_client_error());
    let res = publish(
        &teacher,
        route.id,
        product,
        json!({ "subject": "м".repeat(201) }),
    )
    .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Without her consent to publication: refused, and the screen says why.
    let consents: ConsentsDto = teacher.get_json("/api/v1/me/consents").await;
    let purpose = consents
        .items
        .iter()
        .find(|c| c.purpose.kind == shared::consent::PurposeKind::Publication)
        .unwrap()
        .purpose
        .clone();
    let answer = |given: bool| {
        teacher
            .request(
                reqwest::Method::PUT,
                &format!("/api/v1/me/consents/{}", purpose.id),
            )
            .json(&json!({ "given": given, "version": purpose.version }))
            .send()
    };
    assert_eq!(answer(false).await.unwrap().status(), StatusCode::OK);
    let res = publish(&teacher, route.id, product, json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "publication_consent_required"
    );
    let states: Vec<ProductPublication> = teacher
        .get_json(&format!("/api/v1/routes/{}/publication", route.id))
        .await;
    assert_eq!(
        states[0].blocked.as_ref().map(|b| b.code.as_str()),
        Some("publication_consent_required")
    );
    assert_eq!(bank(&tutor, "").await.total, 0, "nothing was published");

    // With it, published; a «no» later takes it off at once, and nobody else is told.
    assert_eq!(answer(true).await.unwrap().status(), StatusCode::OK);
    let res = publish(&teacher, route.id, product, json!({})).await;
    let published: BankProductDto = ok_json(res).await;
    assert_eq!(bank(&tutor, "").await.total, 1);
    assert_eq!(answer(false).await.unwrap().status(), StatusCode::OK);
    assert_eq!(bank(&tutor, "").await.total, 0);
    let mine = bank(
        &teacher,
        &format!("author_id={}", published.summary.author.id),
    )
    .await;
    assert_eq!(mine.items[0].status, BankStatus::Withdrawn);
    // Having taken it off herself, she may publish again once she agrees again.
    assert_eq!(answer(true).await.unwrap().status(), StatusCode::OK);
    let res = publish(&teacher, route.id, product, json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // A route not yet evaluated cannot publish its product.
    let school = demo_school(&app).await;
    fixtures::person(&app.db, "t2@iom.test", Role::Teacher, Some(school)).await;
    let t2 = app.as_user("t2@iom.test").await;
    let draft = fill(&t2, create(&t2, "Смысловое чтение").await).await;
    let res = publish(&t2, draft.id, draft.reflective.products[0].id, json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "product_not_evaluated"
    );

    // Bad queries are a 400, never a 500.
    for q in [
        "limit=0",
        "limit=101",
        "offset=1000001",
        "competency_id=abc",
        "level=nonsense",
    ] {
        let res = tutor
            .get(&format!("/api/v1/products?{q}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{q}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

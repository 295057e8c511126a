//! Who sees whom: every demo role against people in and out of its scope.

use e2e::{TestApp, fixtures};
use reqwest::StatusCode;
use shared::Role;
use shared::dto::AssignmentKind;

#[tokio::test]
async fn people_are_visible_exactly_within_each_roles_scope() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let d = app.demo.clone();
    let teacher = fixtures::id_of(&app, "teacher@iom.test").await;
    let tutor = fixtures::id_of(&app, "tutor@iom.test").await;
    let no_consent = fixtures::person(db, "nc@iom.test", Role::Teacher, Some(d.school)).await;
    fixtures::assign(db, AssignmentKind::Tutor, tutor, no_consent, false).await;
    let school_2 = fixtures::person(db, "s2@iom.test", Role::Teacher, Some(d.school_2)).await;
    let muni_b = fixtures::person(db, "mb@iom.test", Role::Teacher, Some(d.school_b)).await;
    let other_school = fixtures::other_region_school(db).await;
    let other_region = fixtures::person(db, "or@iom.test", Role::Teacher, Some(other_school)).await;

    let targets = [
        ("педагог ОО", teacher),
        ("без согласия", no_consent),
        ("другая ОО", school_2),
        ("другой МО", muni_b),
        ("другой регион", other_region),
    ];
    // true = visible (200), false = 404.
    let expected: &[(&str, [bool; 5])] = &[
        ("teacher@iom.test", [true, false, false, false, false]),
        ("tutor@iom.test", [true, true, false, false, false]),
        ("methodist@iom.test", [true, false, false, false, false]),
        ("coordinator@iom.test", [true, true, false, false, false]),
        ("deputy@iom.test", [true, true, false, false, false]),
        ("director@iom.test", [true, true, false, false, false]),
        ("municipal@iom.test", [true, true, true, false, false]),
        ("manager@iom.test", [true, true, true, true, false]),
        ("expert@iom.test", [false, false, false, false, false]),
        ("admin@iom.test", [true, true, true, true, true]),
    ];

    let mut table = format!("{:<22}", "GET /people/{id}");
    for (name, _) in &targets {
        table.push_str(&format!("{name:>15}"));
    }
    table.push('\n');
    let mut wrong = Vec::new();
    for (email, row) in expected {
        let user = app.as_user(email).await;
        table.push_str(&format!("{email:<22}"));
        for ((name, id), want) in targets.iter().zip(row) {
            let res = user
                .get(&format!("/api/v1/people/{id}"))
                .send()
                .await
                .unwrap();
            let got = match res.status() {
                StatusCode::OK => true,
                StatusCode::NOT_FOUND => false,
                other => panic!("{email} → {name}: unexpected {other}"),
            };
            table.push_str(&format!("{:>15}", if got { "200" } else { "404" }));
            if got != *want {
                wrong.push(format!("{email} → {name}: got {got}, want {want}"));
            }
        }
        table.push('\n');
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{table}\n{wrong:#?}");
}

#[tokio::test]
async fn units_are_visible_within_the_region_and_to_the_administrator() {
    let app = TestApp::spawn().await;
    let other_school = fixtures::other_region_school(&app.db).await;
    for email in ["teacher@iom.test", "manager@iom.test", "expert@iom.test"] {
        let user = app.as_user(email).await;
        let res = user
            .get(&format!("/api/v1/units/{}", app.demo.school_b))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{email}");
        let res = user
            .get(&format!("/api/v1/units/{other_school}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{email}");
        let list: Vec<shared::dto::UnitDto> = user.get_json("/api/v1/units").await;
        assert_eq!(list.len(), 7, "{email}: the demo region's seven units");
        assert!(list.iter().all(|u| u.path.region == app.demo.region));
    }
    let admin = app.as_user("admin@iom.test").await;
    let res = admin
        .get(&format!("/api/v1/units/{other_school}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let all: Vec<shared::dto::UnitDto> = admin.get_json("/api/v1/units").await;
    assert_eq!(all.len(), 10);
}

#[tokio::test]
async fn units_are_listed_in_russian_alphabetical_order() {
    let app = TestApp::spawn().await;
    let list: Vec<shared::dto::UnitDto> = app
        .as_user("manager@iom.test")
        .await
        .get_json("/api/v1/units")
        .await;
    let names: Vec<String> = list.iter().map(|u| u.name.clone()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| shared::text::sort_key(&[n]));
    assert_eq!(names, sorted);
    // «Город…» before «Демонстрационная…» before «Озёрный…»: Cyrillic, not byte order of capitals.
    let pos = |prefix: &str| names.iter().position(|n| n.starts_with(prefix)).unwrap();
    assert!(pos("Город") < pos("Демонстрационная"));
    assert!(pos("Демонстрационная") < pos("Озёрный"));
}

//! Extra people and units beyond the demo, written straight to the test's database.

use api::db::{assignments, grants, units, users};
use sea_orm::DatabaseConnection;
use shared::dto::AssignmentKind;
use shared::{Role, UnitKind};
use uuid::Uuid;

use crate::TestApp;

/// A stored argon2id hash of the demo password, so fixtures sign in like demo people.
async fn demo_hash() -> String {
    api::auth::password::hash(secrecy::SecretString::from(api::services::demo::PASSWORD))
        .await
        .unwrap()
}

/// Creates a person holding `role` at `unit` (working there too) and returns their id.
pub async fn person(db: &DatabaseConnection, email: &str, role: Role, unit: Option<Uuid>) -> Uuid {
    let user = users::insert(
        db,
        users::NewUser {
            email,
            surname: "Тестова",
            first_name: email.split('@').next().unwrap_or("x"),
            patronymic: None,
            password_hash: Some(demo_hash().await),
            workplace_id: unit,
            position: None,
            phone: None,
        },
    )
    .await
    .unwrap();
    grants::insert(db, user.id, role, unit, None).await.unwrap();
    user.id
}

/// Links a member of staff to a teacher.
pub async fn assign(
    db: &DatabaseConnection,
    kind: AssignmentKind,
    staff: Uuid,
    teacher: Uuid,
    consent: bool,
) {
    assignments::insert(db, kind, staff, teacher, consent, None)
        .await
        .unwrap();
}

/// A second region with a municipality and a school; returns the school's id.
pub async fn other_region_school(db: &DatabaseConnection) -> Uuid {
    let region = units::insert(db, UnitKind::Region, "Соседняя область", None, None)
        .await
        .unwrap();
    let muni = units::insert(
        db,
        UnitKind::Municipality,
        "Город Соседний",
        None,
        Some(&region),
    )
    .await
    .unwrap();
    units::insert(
        db,
        UnitKind::School,
        "МБОУ «СОШ № 7» г. Соседнего",
        None,
        Some(&muni),
    )
    .await
    .unwrap()
    .id
}

/// A regional manager of a second region (made as [`other_region_school`] makes it); returns
/// the manager's id. The attacker of many access tests: their region is not the demo's.
pub async fn other_region_manager(db: &DatabaseConnection, email: &str) -> Uuid {
    let school = other_region_school(db).await;
    let region = units::path(&units::find(db, school).await.unwrap().unwrap())
        .unwrap()
        .region;
    person(db, email, Role::RegionalManager, Some(region)).await
}

/// The demo person's id by e-mail.
pub async fn id_of(app: &TestApp, email: &str) -> Uuid {
    users::find_by_email(&app.db, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// `municipalities` municipalities of `region` with `per_municipality` schools each, for the
/// benchmarks at a region's scale: (schools, municipalities).
pub async fn region_schools(
    db: &DatabaseConnection,
    region: Uuid,
    municipalities: usize,
    per_municipality: usize,
) -> (Vec<Uuid>, Vec<Uuid>) {
    let region = units::find(db, region).await.unwrap().unwrap();
    let mut schools = Vec::new();
    let mut munis = Vec::new();
    for m in 0..municipalities {
        let muni = units::insert(
            db,
            UnitKind::Municipality,
            &format!("Муниципалитет № {m}"),
            None,
            Some(&region),
        )
        .await
        .unwrap();
        for s in 0..per_municipality {
            let school = units::insert(
                db,
                UnitKind::School,
                &format!("Школа № {s} муниципалитета {m}"),
                None,
                Some(&muni),
            )
            .await
            .unwrap();
            schools.push(school.id);
        }
        munis.push(muni.id);
    }
    (schools, munis)
}

//! Demo data for a first start: one region with a district, two municipalities, three schools
//! and one person per role, so every cabinet can be tried at once.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::SecretString;
use shared::dto::AssignmentKind;
use shared::{Role, UnitKind};

use crate::auth::password;
use crate::db::{self, assignments, grants, units, users};

/// The demo password of every demo person. For trying the product only.
pub const PASSWORD: &str = "demo12345";

/// The demo sign-ins, in the order they are printed: e-mail, role, full name.
pub const LOGINS: &[(&str, Role, &str)] = &[
    ("teacher@iom.test", Role::Teacher, "Иванова Мария Петровна"),
    ("tutor@iom.test", Role::Tutor, "Смирнова Ольга Викторовна"),
    (
        "methodist@iom.test",
        Role::Methodist,
        "Кузнецов Андрей Сергеевич",
    ),
    (
        "coordinator@iom.test",
        Role::SchoolCoordinator,
        "Попова Елена Николаевна",
    ),
    (
        "deputy@iom.test",
        Role::DeputyDirector,
        "Васильева Наталья Александровна",
    ),
    (
        "director@iom.test",
        Role::Director,
        "Соколова Юлия Андреевна",
    ),
    (
        "municipal@iom.test",
        Role::MunicipalCoordinator,
        "Морозов Дмитрий Игоревич",
    ),
    (
        "manager@iom.test",
        Role::RegionalManager,
        "Волкова Татьяна Сергеевна",
    ),
    ("expert@iom.test", Role::Expert, "Лебедев Игорь Павлович"),
    ("admin@iom.test", Role::Admin, "Новиков Павел Олегович"),
];

/// Ids of what the demo created, for tests and for printing.
#[derive(Debug, Clone)]
pub struct Demo {
    pub region: uuid::Uuid,
    pub district: uuid::Uuid,
    pub municipality_a: uuid::Uuid,
    pub municipality_b: uuid::Uuid,
    /// The demo school: «Гимназия № 1», where the demo teacher works.
    pub school: uuid::Uuid,
    /// Another school of the same municipality.
    pub school_2: uuid::Uuid,
    /// A school of the other municipality.
    pub school_b: uuid::Uuid,
}

/// Seeds the demo into an empty database; does nothing (and returns `None`) when there are
/// people already.
pub async fn seed_if_empty(db: &DatabaseConnection) -> anyhow::Result<Option<Demo>> {
    if users::count(db).await? > 0 {
        return Ok(None);
    }
    let hash = password::hash(SecretString::from(PASSWORD)).await?;
    let txn = db::begin_write(db).await?;
    let demo = seed(&txn, &hash).await?;
    txn.commit().await?;
    Ok(Some(demo))
}

async fn seed(db: &impl ConnectionTrait, hash: &str) -> anyhow::Result<Demo> {
    let region = units::insert(
        db,
        UnitKind::Region,
        "Демонстрационная область",
        Some("ДО"),
        None,
    )
    .await?;
    let district = units::insert(
        db,
        UnitKind::District,
        "Северный межмуниципальный методический округ",
        Some("Северный ММО"),
        Some(&region),
    )
    .await?;
    let muni_a = units::insert(
        db,
        UnitKind::Municipality,
        "Город Светлогорск",
        None,
        Some(&region),
    )
    .await?;
    let muni_b = units::insert(
        db,
        UnitKind::Municipality,
        "Озёрный район",
        None,
        Some(&district),
    )
    .await?;
    let school = units::insert(
        db,
        UnitKind::School,
        "МАОУ «Гимназия № 1» г. Светлогорска",
        Some("Гимназия № 1"),
        Some(&muni_a),
    )
    .await?;
    let school_2 = units::insert(
        db,
        UnitKind::School,
        "МБОУ «Средняя общеобразовательная школа № 2» г. Светлогорска",
        Some("СОШ № 2"),
        Some(&muni_a),
    )
    .await?;
    let school_b = units::insert(
        db,
        UnitKind::School,
        "МКОУ «Озёрная средняя общеобразовательная школа»",
        Some("Озёрная СОШ"),
        Some(&muni_b),
    )
    .await?;

    let mut people = Vec::new();
    for (email, role, name) in LOGINS {
        let mut parts = name.split(' ');
        let (surname, first, patronymic) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next(),
        );
        let (unit, workplace, position) = match role {
            Role::Teacher => (Some(school.id), Some(school.id), "Учитель математики"),
            Role::Tutor => (
                Some(school.id),
                Some(school.id),
                "Учитель информатики, тьютор",
            ),
            Role::SchoolCoordinator => (
                Some(school.id),
                Some(school.id),
                "Заместитель директора по научно-методической работе",
            ),
            Role::DeputyDirector => (
                Some(school.id),
                Some(school.id),
                "Заместитель директора по УВР",
            ),
            Role::Director => (Some(school.id), Some(school.id), "Директор"),
            Role::MunicipalCoordinator => (
                Some(muni_a.id),
                Some(muni_a.id),
                "Специалист муниципальной методической службы",
            ),
            Role::Methodist => (
                Some(region.id),
                Some(region.id),
                "Методист регионального методического актива",
            ),
            Role::RegionalManager => (Some(region.id), Some(region.id), "Менеджер ЦНППМ"),
            Role::Expert => (Some(region.id), Some(region.id), "Эксперт ЦНППМ"),
            Role::Admin => (None, None, "Администратор платформы"),
        };
        let user = users::insert(
            db,
            users::NewUser {
                email,
                surname,
                first_name: first,
                patronymic,
                password_hash: Some(hash.to_owned()),
                workplace_id: workplace,
                position: Some(position),
                phone: Some("+7 900 000-00-00"),
            },
        )
        .await?;
        grants::insert(db, user.id, *role, unit, None).await?;
        crate::services::integration::sync::touch_person(db, user.id).await?;
        people.push((*role, user));
    }
    let find = |role: Role| {
        people
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, u)| u.clone())
            .ok_or_else(|| anyhow::anyhow!("demo person for {role}"))
    };
    let teacher = find(Role::Teacher)?;
    let tutor = find(Role::Tutor)?;
    let methodist = find(Role::Methodist)?;
    // The route card's information section, filled as a school would have it.
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut am = teacher.clone().into_active_model();
    am.teaching_experience_years = Set(Some(12));
    am.position_experience_years = Set(Some(8));
    am.qualification_category = Set(Some("Первая".into()));
    am.qualification_date = Set(chrono::NaiveDate::from_ymd_opt(2023, 4, 14));
    am.update(db).await?;

    assignments::insert(db, AssignmentKind::Tutor, tutor.id, teacher.id, true, None).await?;
    assignments::insert(
        db,
        AssignmentKind::Mentor,
        methodist.id,
        teacher.id,
        false,
        None,
    )
    .await?;

    let staff = [
        teacher.clone(),
        tutor.clone(),
        find(Role::SchoolCoordinator)?,
    ];
    crate::services::diagnostics::demo::seed(db, &region, find(Role::RegionalManager)?.id, &staff)
        .await?;

    Ok(Demo {
        region: region.id,
        district: district.id,
        municipality_a: muni_a.id,
        municipality_b: muni_b.id,
        school: school.id,
        school_2: school_2.id,
        school_b: school_b.id,
    })
}

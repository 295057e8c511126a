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
    // The demo's people have answered the region's consents already, so signing in as any of
    // them opens the cabinet; a person added later is asked at their first sign-in.
    crate::services::consents::ensure_defaults(db, region.id).await?;
    for (_, user) in people.iter().filter(|(r, _)| *r != Role::Admin) {
        crate::services::consents::give_all_for_demo(db, user.id, region.id).await?;
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

    let by_role = |role: Role| find(role).map(|u| u.id);
    catalogue(
        db,
        &DemoCatalogue {
            region: &region,
            district: &district,
            muni_a: &muni_a,
            muni_b: &muni_b,
            school: &school,
            school_2: &school_2,
            manager: by_role(Role::RegionalManager)?,
            municipal: by_role(Role::MunicipalCoordinator)?,
            director: by_role(Role::Director)?,
            tutor: tutor.id,
            teacher: teacher.id,
        },
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

/// Where the demo's events come from.
struct DemoCatalogue<'a> {
    region: &'a crate::db::entities::org_unit::Model,
    district: &'a crate::db::entities::org_unit::Model,
    muni_a: &'a crate::db::entities::org_unit::Model,
    muni_b: &'a crate::db::entities::org_unit::Model,
    school: &'a crate::db::entities::org_unit::Model,
    school_2: &'a crate::db::entities::org_unit::Model,
    manager: uuid::Uuid,
    municipal: uuid::Uuid,
    director: uuid::Uuid,
    tutor: uuid::Uuid,
    teacher: uuid::Uuid,
}

/// A dozen events of the region, the district, both municipalities and two schools, dated from
/// today so the calendar always has upcoming ones, each tied to default-framework competencies;
/// and one the tutor recommended to the demo teacher.
async fn catalogue(db: &impl ConnectionTrait, c: &DemoCatalogue<'_>) -> anyhow::Result<()> {
    use crate::db::entities::{competency, event, event_competency, event_recommendation};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    use shared::EventLevel as L;
    use shared::catalogue::{EventFormat as F, EventKind as K, EventStatus};

    let comps: std::collections::HashMap<String, uuid::Uuid> = competency::Entity::find()
        .filter(competency::Column::FrameworkId.eq(crate::services::frameworks::default_id()))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.code, x.id))
        .collect();
    let today = db::now().date_naive();
    let d = |days: i64| today + chrono::Duration::days(days);
    // (organiser, creator, title, kind, level, format, place, start, end, hours, capacity, competencies)
    type Row<'r> = (
        &'r crate::db::entities::org_unit::Model,
        uuid::Uuid,
        &'static str,
        K,
        L,
        F,
        Option<&'static str>,
        i64,
        i64,
        Option<f64>,
        Option<i32>,
        &'static [&'static str],
    );
    let cnppm = Some("ЦНППМ, ул. Ленина, 5, ауд. 301");
    let rows: Vec<Row<'_>> = vec![
        (
            c.region,
            c.manager,
            "Функциональная грамотность: математическая грамотность обучающихся",
            K::Course,
            L::Regional,
            F::Mixed,
            cnppm,
            21,
            32,
            Some(36.0),
            Some(60),
            &["П.2", "М.3"],
        ),
        (
            c.region,
            c.manager,
            "Формирующее оценивание на уроке: приёмы и инструменты",
            K::Webinar,
            L::Regional,
            F::Online,
            None,
            9,
            9,
            Some(2.0),
            None,
            &["П.3"],
        ),
        (
            c.region,
            c.manager,
            "Реализация требований обновлённых ФГОС ООО и ФГОС СОО в работе учителя",
            K::Course,
            L::Federal,
            F::Online,
            None,
            30,
            60,
            Some(72.0),
            Some(200),
            &["М.1", "М.2"],
        ),
        (
            c.region,
            c.manager,
            "Региональная конференция «Современный урок: опыт, наставничество, сопровождение»",
            K::Conference,
            L::Regional,
            F::Onsite,
            cnppm,
            45,
            46,
            Some(12.0),
            Some(150),
            &["К.4", "М.5"],
        ),
        (
            c.region,
            c.manager,
            "Конкурс методических разработок «Педагогический поиск»",
            K::Contest,
            L::Regional,
            F::Online,
            None,
            20,
            80,
            None,
            None,
            &["К.4"],
        ),
        (
            c.region,
            c.manager,
            "Психолого-педагогическая диагностика в работе учителя: курс для самообразования",
            K::SelfStudy,
            L::Regional,
            F::Online,
            None,
            1,
            120,
            Some(16.0),
            None,
            &["ПП.3"],
        ),
        (
            c.district,
            c.manager,
            "Стажировка на базе опорной школы: индивидуализация обучения",
            K::Internship,
            L::Municipal,
            F::Onsite,
            Some("Озёрная СОШ, ул. Школьная, 1"),
            35,
            39,
            Some(24.0),
            Some(12),
            &["ПП.2"],
        ),
        (
            c.muni_a,
            c.municipal,
            "Смысловое чтение на уроках разных предметов",
            K::Seminar,
            L::Municipal,
            F::Onsite,
            Some("Дом учителя, ул. Мира, 10"),
            12,
            12,
            Some(3.0),
            Some(30),
            &["М.3", "П.2"],
        ),
        (
            c.muni_a,
            c.municipal,
            "Цифровые инструменты учителя: мастер-класс",
            K::MasterClass,
            L::Municipal,
            F::Onsite,
            Some("СОШ № 2, кабинет информатики"),
            18,
            18,
            Some(2.0),
            Some(20),
            &["М.2"],
        ),
        (
            c.muni_b,
            c.manager,
            "Взаимодействие с родителями: трудные разговоры",
            K::Seminar,
            L::Municipal,
            F::Mixed,
            Some("Районный методический кабинет"),
            25,
            25,
            Some(3.0),
            Some(40),
            &["К.1"],
        ),
        (
            c.school,
            c.director,
            "Заседание ШМО учителей математики: подготовка к олимпиадам",
            K::MethodAssociation,
            L::Institutional,
            F::Onsite,
            Some("Гимназия № 1, каб. 24"),
            7,
            7,
            Some(1.5),
            None,
            &["П.4"],
        ),
        (
            c.school,
            c.director,
            "Открытый урок: групповая работа в 7 классе",
            K::OpenLesson,
            L::Institutional,
            F::Onsite,
            Some("Гимназия № 1, каб. 31"),
            16,
            16,
            Some(1.0),
            Some(15),
            &["К.3"],
        ),
        (
            c.school_2,
            c.manager,
            "Взаимопосещение уроков: формирующее оценивание",
            K::LessonVisit,
            L::Institutional,
            F::Onsite,
            Some("СОШ № 2"),
            10,
            24,
            Some(4.0),
            Some(10),
            &["П.3"],
        ),
    ];
    let t = db::now();
    let mut recommended = None;
    for (unit, creator, title, kind, level, format, place, start, end, hours, capacity, codes) in
        rows
    {
        let path = units::path(unit)?;
        let e = event::ActiveModel {
            id: Set(db::new_id()),
            organiser_id: Set(unit.id),
            region_id: Set(path.region),
            district_id: Set(path.district),
            municipality_id: Set(path.municipality),
            school_id: Set(path.school),
            title: Set(title.to_owned()),
            sort_key: Set(shared::text::sort_key(&[title, place.unwrap_or(""), kind.title_ru()])),
            description: Set(Some(format!(
                "{} для педагогов образовательных организаций. Программа и материалы — у организатора.",
                kind.title_ru()
            ))),
            kind: Set(kind.as_str().to_owned()),
            level: Set(level.as_str().to_owned()),
            format: Set(format.as_str().to_owned()),
            place: Set(place.map(str::to_owned)),
            link: Set((format != F::Onsite).then(|| "https://iro.example.ru/events".to_owned())),
            starts_on: Set(d(start)),
            ends_on: Set(d(end)),
            schedule: Set(Some(if start == end {
                "15:00–17:00".to_owned()
            } else {
                "по расписанию организатора".to_owned()
            })),
            hours: Set(hours),
            capacity: Set(capacity),
            registration_deadline: Set(Some(d(start - 2).max(today))),
            audience_subjects: Set(r#"["Математика","Русский язык","Все предметы"]"#.to_owned()),
            audience_levels: Set(r#"["basic","secondary"]"#.to_owned()),
            status: Set(EventStatus::Published.as_str().to_owned()),
            version: Set(2),
            created_by: Set(creator),
            published_at: Set(Some(t)),
            cancelled_at: Set(None),
            cancel_reason: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(db)
        .await?;
        crate::services::integration::sync::touch_event(db, &e).await?;
        for code in codes {
            if let Some(id) = comps.get(*code) {
                event_competency::ActiveModel {
                    event_id: Set(e.id),
                    competency_id: Set(*id),
                }
                .insert(db)
                .await?;
            }
        }
        if kind == K::Seminar && unit.id == c.muni_a.id {
            recommended = Some(e.id);
        }
    }
    if let Some(event_id) = recommended {
        event_recommendation::ActiveModel {
            id: Set(db::new_id()),
            event_id: Set(event_id),
            teacher_id: Set(c.teacher),
            recommended_by: Set(c.tutor),
            note: Set(Some(
                "Мария Петровна, этот семинар поможет с заданиями на смысловое чтение в 7 классе."
                    .to_owned(),
            )),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

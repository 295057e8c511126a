//! Competency frameworks: the default one shipped with the platform, and reading them.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use shared::dto::{CompetencyDto, CompetencyGroupDto, FrameworkDto, FrameworkStatus};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{competency, competency_group, framework};
use crate::db::{self};
use crate::error::{AppError, AppResult};

/// The default framework's stable code.
pub const DEFAULT_CODE: &str = "pedagog-544n";

/// The default framework: the four groups of the regional document, each competency tied to a
/// labour function of the professional standard «Педагог» (order 544н of 18.10.2013).
/// (code, name, labour function, description)
type DefaultCompetency = (&'static str, &'static str, &'static str, &'static str);

const DEFAULT_GROUPS: &[(&str, &str, &[DefaultCompetency])] = &[
    (
        "П",
        "Предметные компетенции",
        &[
            (
                "П.1",
                "Владение содержанием преподаваемого предмета",
                "A/01.6",
                "Знание предмета в объёме, необходимом для реализации образовательных программ, и современных достижений в предметной области.",
            ),
            (
                "П.2",
                "Формирование функциональной грамотности обучающихся на предметном материале",
                "B/03.6",
                "Использование практико-ориентированных и контекстных задач для формирования математической, читательской, естественнонаучной и финансовой грамотности.",
            ),
            (
                "П.3",
                "Оценивание предметных результатов обучающихся",
                "A/01.6",
                "Применение современных средств и критериев оценивания, анализ результатов оценочных процедур.",
            ),
            (
                "П.4",
                "Работа с предметным содержанием повышенной сложности",
                "B/03.6",
                "Подготовка обучающихся к олимпиадам, конкурсам и итоговой аттестации.",
            ),
        ],
    ),
    (
        "М",
        "Методические компетенции",
        &[
            (
                "М.1",
                "Проектирование рабочих программ и уроков в соответствии с ФГОС",
                "A/01.6",
                "Разработка рабочей программы, планирование и проведение учебных занятий с учётом требований обновлённых ФГОС и ФОП.",
            ),
            (
                "М.2",
                "Применение современных образовательных технологий, в том числе цифровых",
                "A/01.6",
                "Использование цифровых образовательных ресурсов и сервисов, дистанционных и смешанных форм обучения.",
            ),
            (
                "М.3",
                "Формирование универсальных учебных действий и метапредметных результатов",
                "A/01.6",
                "Организация деятельности обучающихся, направленной на достижение метапредметных результатов.",
            ),
            (
                "М.4",
                "Организация проектной и исследовательской деятельности обучающихся",
                "B/03.6",
                "Руководство индивидуальными и групповыми проектами и учебными исследованиями.",
            ),
            (
                "М.5",
                "Анализ и рефлексия собственной педагогической деятельности",
                "A/01.6",
                "Анализ эффективности учебных занятий и подходов к обучению, корректировка своей деятельности.",
            ),
        ],
    ),
    (
        "ПП",
        "Психолого-педагогические компетенции",
        &[
            (
                "ПП.1",
                "Организация воспитательной деятельности",
                "A/02.6",
                "Реализация воспитательных возможностей урока и внеурочной деятельности, работа с рабочей программой воспитания.",
            ),
            (
                "ПП.2",
                "Индивидуализация обучения и работа с обучающимися с особыми образовательными потребностями",
                "A/03.6",
                "Разработка и реализация индивидуальных образовательных маршрутов обучающихся, в том числе с ОВЗ и одарённых.",
            ),
            (
                "ПП.3",
                "Психолого-педагогическая диагностика и поддержка развития обучающихся",
                "A/03.6",
                "Выявление особенностей развития обучающихся, оценка и поддержка их личностных результатов.",
            ),
            (
                "ПП.4",
                "Создание безопасной и психологически комфортной образовательной среды",
                "A/02.6",
                "Профилактика рисков, управление классом, поддержание доброжелательной атмосферы.",
            ),
        ],
    ),
    (
        "К",
        "Коммуникативные компетенции",
        &[
            (
                "К.1",
                "Взаимодействие с родителями (законными представителями) обучающихся",
                "A/02.6",
                "Построение конструктивного взаимодействия с семьями обучающихся.",
            ),
            (
                "К.2",
                "Профессиональное взаимодействие с коллегами",
                "A/01.6",
                "Работа в команде, участие в методических объединениях и профессиональных сообществах.",
            ),
            (
                "К.3",
                "Организация учебного сотрудничества обучающихся",
                "A/01.6",
                "Организация групповой работы, учебного диалога и продуктивной коммуникации на уроке.",
            ),
            (
                "К.4",
                "Представление педагогического опыта профессиональному сообществу",
                "A/01.6",
                "Выступления, публикации, открытые уроки и мастер-классы.",
            ),
        ],
    ),
];

/// A stable id for a default item, the same in every deployment.
fn stable_id(kind: &str, code: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("iom:{DEFAULT_CODE}:1:{kind}:{code}").as_bytes(),
    )
}

/// The default framework's id.
pub fn default_id() -> Uuid {
    stable_id("framework", DEFAULT_CODE)
}

/// Writes the default framework if it is not there yet (every instance may call this at start).
pub async fn ensure_default(db: &impl ConnectionTrait) -> anyhow::Result<()> {
    let id = default_id();
    if framework::Entity::find_by_id(id).one(db).await?.is_some() {
        return Ok(());
    }
    let t = db::now();
    let result = framework::Entity::insert(framework::ActiveModel {
        id: Set(id),
        region_id: Set(None),
        code: Set(DEFAULT_CODE.into()),
        name: Set(
            "Профессиональные компетенции педагога (профстандарт «Педагог», приказ 544н)".into(),
        ),
        version: Set(1),
        status: Set(FrameworkStatus::Published.as_str().into()),
        based_on_id: Set(None),
        published_at: Set(Some(t)),
        deficit_rule: Set(r#"{"levels":["low"]}"#.into()),
        revision: Set(1),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    if matches!(result, sea_orm::TryInsertResult::Conflicted) {
        // Another instance is writing it.
        return Ok(());
    }
    for (gpos, (gcode, gname, items)) in DEFAULT_GROUPS.iter().enumerate() {
        let group_id = stable_id("group", gcode);
        competency_group::Entity::insert(competency_group::ActiveModel {
            id: Set(group_id),
            framework_id: Set(id),
            code: Set((*gcode).into()),
            name: Set((*gname).into()),
            position: Set(i32::try_from(gpos).unwrap_or(0)),
            created_at: Set(t),
            updated_at: Set(t),
        })
        .exec_without_returning(db)
        .await?;
        for (cpos, (code, name, function, description)) in items.iter().enumerate() {
            competency::Entity::insert(competency::ActiveModel {
                id: Set(stable_id("competency", code)),
                framework_id: Set(id),
                group_id: Set(group_id),
                code: Set((*code).into()),
                name: Set((*name).into()),
                description: Set(Some((*description).into())),
                labour_function: Set(Some((*function).into())),
                position: Set(i32::try_from(gpos * 100 + cpos).unwrap_or(0)),
                low_max: Set(Some(49.0)),
                medium_max: Set(Some(79.0)),
                created_at: Set(t),
                updated_at: Set(t),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

/// The framework a new route in `region` uses: the region's newest published one, else the
/// platform's default.
pub async fn current_for_region(db: &impl ConnectionTrait, region: Uuid) -> AppResult<Uuid> {
    let own = framework::Entity::find()
        .filter(framework::Column::RegionId.eq(region))
        .filter(framework::Column::Status.eq(FrameworkStatus::Published.as_str()))
        .order_by_desc(framework::Column::PublishedAt)
        .one(db)
        .await?;
    Ok(own.map_or_else(default_id, |f| f.id))
}

pub fn competency_dto(c: &competency::Model) -> CompetencyDto {
    CompetencyDto {
        id: c.id,
        code: c.code.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        labour_function: c.labour_function.clone(),
        low_max: c.low_max,
        medium_max: c.medium_max,
    }
}

pub async fn load(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<FrameworkDto>> {
    let Some(f) = framework::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let groups = competency_group::Entity::find()
        .filter(competency_group::Column::FrameworkId.eq(id))
        .order_by_asc(competency_group::Column::Position)
        .all(db)
        .await?;
    let comps = competency::Entity::find()
        .filter(competency::Column::FrameworkId.eq(id))
        .order_by_asc(competency::Column::Position)
        .all(db)
        .await?;
    Ok(Some(FrameworkDto {
        id: f.id,
        code: f.code,
        name: f.name,
        version: f.version,
        status: db::parse_code(&f.status)?,
        region_id: f.region_id,
        deficit_rule: shared::diagnostics::DeficitRule::parse(&f.deficit_rule),
        based_on_id: f.based_on_id,
        published_at: f.published_at,
        revision: f.revision,
        groups: groups
            .into_iter()
            .map(|g| CompetencyGroupDto {
                competencies: comps
                    .iter()
                    .filter(|c| c.group_id == g.id)
                    .map(competency_dto)
                    .collect(),
                id: g.id,
                code: g.code,
                name: g.name,
            })
            .collect(),
    }))
}

/// Frameworks the principal can use: the default and those of their regions.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> AppResult<Vec<FrameworkDto>> {
    let mut regions: Vec<Uuid> = principal.actor.regions().collect();
    regions.sort();
    regions.dedup();
    let mut q = framework::Entity::find();
    if !principal.actor.is_admin() {
        q = q.filter(
            sea_orm::Condition::any()
                .add(framework::Column::RegionId.is_null())
                .add(framework::Column::RegionId.is_in(regions)),
        );
    }
    let rows = q
        .order_by_asc(framework::Column::Code)
        .order_by_asc(framework::Column::Version)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for f in rows {
        if let Some(dto) = load(db, f.id).await? {
            out.push(dto);
        }
    }
    Ok(out)
}

pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<FrameworkDto> {
    let dto = load(db, id).await?.ok_or(AppError::NotFound)?;
    let visible = principal.actor.is_admin()
        || dto
            .region_id
            .is_none_or(|r| principal.actor.regions().any(|x| x == r));
    if !visible {
        return Err(AppError::NotFound);
    }
    Ok(dto)
}

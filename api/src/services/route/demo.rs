//! The demo's completed route: the demo teacher's route of last year carried through the real
//! services — filled, agreed, approved, run, its product evaluated by the expert, concluded and
//! completed by the tutor — so the completion issues the certificate exactly as in production
//! and the teacher can download it and open its verification page from the QR code.

use anyhow::Context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::RouteStatus;
use shared::dto::{AssignmentKind, CreateRoute, RouteDto, TransitionRequest};
use shared::workflow::RouteAction;
use uuid::Uuid;

use crate::auth::{Principal, principal};
use crate::db::entities::competency;
use crate::db::{self, assignments, users};
use crate::services::route::{create, edit, flow};
use crate::state::AppState;

/// The title of the demo's completed route.
pub const TITLE: &str = "Функциональная грамотность на уроках математики";

async fn person(state: &AppState, email: &str) -> anyhow::Result<Principal> {
    let user = users::find_by_email(&state.db, email)
        .await?
        .with_context(|| format!("demo person {email}"))?;
    Ok(principal::load(&state.db, user).await?)
}

/// An input DTO from the JSON the API would receive.
fn input<T: DeserializeOwned>(v: Value) -> anyhow::Result<T> {
    Ok(serde_json::from_value(v)?)
}

async fn step(
    state: &AppState,
    who: &Principal,
    route: &RouteDto,
    action: RouteAction,
    extra: Value,
) -> anyhow::Result<RouteDto> {
    let mut body = json!({ "action": action, "version": route.version });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let req: TransitionRequest = input(body)?;
    flow::transition(state, who, route.id, req)
        .await
        .with_context(|| format!("demo route: {action:?}"))
}

/// Seeds the demo teacher's completed route with its certificate (the demo's people and
/// framework exist). Returns the route.
pub async fn seed_completed(state: &AppState) -> anyhow::Result<RouteDto> {
    let teacher = person(state, "teacher@iom.test").await?;
    let tutor = person(state, "tutor@iom.test").await?;
    let deputy = person(state, "deputy@iom.test").await?;
    let director = person(state, "director@iom.test").await?;
    let expert = person(state, "expert@iom.test").await?;
    // The regional expert evaluates the demo teacher's products.
    assignments::insert(
        &state.db,
        AssignmentKind::Expert,
        expert.id(),
        teacher.id(),
        false,
        None,
    )
    .await?;

    let comps: Vec<Uuid> = competency::Entity::find()
        .filter(competency::Column::FrameworkId.eq(crate::services::frameworks::default_id()))
        .order_by_asc(competency::Column::Position)
        .order_by_asc(competency::Column::Code)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    anyhow::ensure!(comps.len() >= 5, "the default framework has competencies");

    // Last school year's route: started two and a half months ago, finished now.
    let start = db::now().date_naive() - chrono::Duration::days(75);
    let day = |d: i64| (start + chrono::Duration::days(d)).to_string();
    let created: CreateRoute = input(json!({
        "title": TITLE, "period_start": day(0), "period_end": day(270)
    }))?;
    let r = create::create(state, &teacher, created).await?;
    let id = r.id;
    edit::add_diagnostic(state, &teacher, id, input(json!({
        "kind": "entry", "level": "regional", "name": "Региональная диагностика профессиональных дефицитов",
        "date": day(9),
        "results": [
            { "competency_id": comps[1], "level": "low", "score": 35.0 },
            { "competency_id": comps[4], "level": "low" },
            { "competency_id": comps[0], "level": "high" }
        ]
    }))?)
    .await?;
    edit::add_deficit(
        state,
        &teacher,
        id,
        input(json!({
            "title": "Формирование функциональной грамотности", "competency_id": comps[1]
        }))?,
    )
    .await?;
    let r = edit::add_deficit(
        state,
        &teacher,
        id,
        input(json!({
            "title": "Проектирование уроков по ФГОС", "competency_id": comps[4]
        }))?,
    )
    .await?;
    let d: Vec<Uuid> = r.diagnostic.deficits.iter().map(|d| d.id).collect();
    edit::add_task(state, &teacher, id, input(json!({
        "title": "Освоить приёмы формирования функциональной грамотности", "deficit_ids": [d[0], d[1]]
    }))?)
    .await?;
    edit::add_activity(
        state,
        &teacher,
        id,
        input(json!({
            "name": "КПК «Функциональная грамотность: математическая грамотность»",
            "competency_ids": [comps[1]], "deficit_ids": [d[0]], "level": "regional",
            "start_date": day(30), "end_date": day(41), "participation_form": "слушатель",
            "result": "удостоверение о повышении квалификации", "hours": 36.0
        }))?,
    )
    .await?;
    edit::add_activity(
        state,
        &teacher,
        id,
        input(json!({
            "name": "Открытый урок для методического объединения", "deficit_ids": [d[1]],
            "competency_ids": [comps[4]], "level": "institutional", "start_date": day(55),
            "participation_form": "докладчик", "result": "технологическая карта урока"
        }))?,
    )
    .await?;
    let r = edit::add_product(state, &teacher, id, input(json!({
        "title": "Сборник практико-ориентированных задач для 7 класса", "kind": "методическая разработка"
    }))?)
    .await?;

    let r = step(state, &teacher, &r, RouteAction::Submit, json!({})).await?;
    let r = step(state, &tutor, &r, RouteAction::TutorAgree, json!({})).await?;
    let r = step(state, &deputy, &r, RouteAction::Agree, json!({})).await?;
    let r = step(state, &director, &r, RouteAction::Approve, json!({})).await?;
    let mut r = step(state, &teacher, &r, RouteAction::Start, json!({})).await?;

    for a in r.activity.activities.clone() {
        r = edit::update_activity(
            state,
            &teacher,
            id,
            a.id,
            input(json!({
                "version": a.version, "name": a.name,
                "competency_ids": a.competencies.iter().map(|c| c.id).collect::<Vec<_>>(),
                "deficit_ids": a.deficit_ids, "level": a.level, "start_date": a.start_date,
                "end_date": a.end_date, "participation_form": a.participation_form,
                "result": a.result, "hours": a.hours, "status": "done"
            }))?,
        )
        .await?;
    }
    let r = edit::update_final_event(
        state,
        &teacher,
        id,
        input(json!({
            "version": r.version,
            "final_event": { "name": "Мастер-класс на муниципальном методическом объединении",
                             "level": "municipal", "start_date": day(68),
                             "participation_form": "ведущий", "done": true }
        }))?,
    )
    .await?;
    let r = step(state, &teacher, &r, RouteAction::SubmitProduct, json!({})).await?;
    let verdicts: Vec<Value> = d
        .iter()
        .map(|d| json!({ "deficit_id": d, "eliminated": true }))
        .collect();
    let r = step(
        state,
        &expert,
        &r,
        RouteAction::Evaluate,
        json!({
            "verdicts": verdicts, "comment": "Продукт соответствует задачам маршрута"
        }),
    )
    .await?;
    let r = edit::update_conclusion(state, &tutor, id, input(json!({
        "version": r.version,
        "conclusion": { "findings": "Дефициты устранены: педагог уверенно применяет задания на функциональную грамотность",
                        "results": "Разработан сборник практико-ориентированных задач для 7 класса",
                        "recommendations": "Распространить опыт на уровне муниципалитета", "outcome": "achieved" }
    }))?)
    .await?;
    let r = step(state, &tutor, &r, RouteAction::Complete, json!({})).await?;
    anyhow::ensure!(
        r.status == RouteStatus::Completed,
        "the demo route completed"
    );
    Ok(r)
}

//! Results per person, campaign and competency: entered by hand, self-assessed, read with the
//! deficits the framework's rule proposes.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::diagnostics::resolve_level;
use shared::dto::{
    Page, PersonResultsDto, PersonResultsInput, ProposedDeficit, ResultDto, ResultInput,
    ResultSource,
};
use shared::{CompetencyLevel, DiagnosticKind, UnitPath};
use uuid::Uuid;
use validator::Validate;

use super::rollup::{self, Touched};
use super::{
    Campaign, Framework, comp_ref, count_people, deficit_title, load_campaign, load_framework,
    ranges, visible_results,
};
use crate::auth::Principal;
use crate::db::entities::{diagnostic_result, user};
use crate::db::{self, audit, units, users};
use crate::error::{AppError, AppResult};
use crate::services::integration::sync;
use crate::services::people;
use crate::services::route::create::clean;
use crate::state::AppState;

/// A result checked against the framework, ready to write.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CleanResult {
    pub competency_id: Uuid,
    pub level: CompetencyLevel,
    pub score: Option<f64>,
    pub comment: Option<String>,
}

/// Checks one result: the competency is the framework's, the level is given or follows from
/// the score.
pub fn check_result(fw: &Framework, r: &ResultInput) -> Result<CleanResult, String> {
    let (c, _) = fw
        .find(r.competency_id)
        .ok_or_else(|| "Компетенция не из рамки этой диагностики.".to_owned())?;
    let level =
        resolve_level(r.level, r.score, &ranges(c)).map_err(|m| format!("{}: {m}", c.code))?;
    Ok(CleanResult {
        competency_id: c.id,
        level,
        score: r.score,
        comment: clean(r.comment.clone()),
    })
}

/// One person's results to write, where the person works.
pub struct PersonWrite<'a> {
    pub person: Uuid,
    pub place: Option<UnitPath>,
    pub results: &'a [CleanResult],
}

/// Replaces a person's results in a campaign. Returns the places whose counts changed (where
/// the person's results were and where they are now), for `rollup::recompute` once per batch.
#[allow(clippy::too_many_arguments)]
pub async fn write_person(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    person: Uuid,
    place: Option<&UnitPath>,
    results: &[CleanResult],
    source: ResultSource,
    entered_by: Uuid,
) -> AppResult<Touched> {
    let one = PersonWrite {
        person,
        place: place.copied(),
        results,
    };
    write_people(db, campaign, &[one], source, entered_by).await
}

/// Replaces the results of many people in a campaign in a few statements (a region's import
/// holds tens of thousands), and marks each person's results changed in the sync feed — a
/// tombstone for one left with none. A person given twice keeps the last results. Returns the
/// places whose counts changed, for `rollup::recompute` once per batch.
pub async fn write_people(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    people: &[PersonWrite<'_>],
    source: ResultSource,
    entered_by: Uuid,
) -> AppResult<Touched> {
    if people.iter().any(|p| p.place.is_none()) {
        return Err(AppError::invalid(
            "person",
            "У педагога не указано место работы.",
        ));
    }
    let mut last: HashMap<Uuid, usize> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        last.insert(p.person, i);
    }
    let people: Vec<&PersonWrite> = people
        .iter()
        .enumerate()
        .filter(|(i, p)| last.get(&p.person) == Some(i))
        .map(|(_, p)| p)
        .collect();
    let mut touched = Touched::default();
    for chunk in people.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|p| p.person).collect();
        touched.extend(rollup::places_of_many(db, campaign, &ids).await?);
        diagnostic_result::Entity::delete_many()
            .filter(diagnostic_result::Column::CampaignId.eq(campaign))
            .filter(diagnostic_result::Column::PersonId.is_in(chunk.iter().map(|p| p.person)))
            .exec(db)
            .await?;
    }
    let t = db::now();
    let rows: Vec<diagnostic_result::ActiveModel> = people
        .iter()
        .flat_map(|p| p.results.iter().map(move |r| (p, r)))
        .filter_map(|(p, r)| {
            let place = p.place?;
            Some(diagnostic_result::ActiveModel {
                id: Set(db::new_id()),
                campaign_id: Set(campaign),
                person_id: Set(p.person),
                competency_id: Set(r.competency_id),
                level: Set(r.level.as_str().into()),
                score: Set(r.score),
                comment: Set(r.comment.clone()),
                source: Set(source.as_str().into()),
                region_id: Set(place.region),
                district_id: Set(place.district),
                municipality_id: Set(place.municipality),
                school_id: Set(place.school),
                entered_by: Set(entered_by),
                created_at: Set(t),
                updated_at: Set(t),
            })
        })
        .collect();
    // Fifteen values a row: within either database's limit of bound parameters.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        diagnostic_result::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    let changes: Vec<sync::Change> = people
        .iter()
        .map(|p| sync::sheet_change(campaign, p.person, p.place, p.results.is_empty()))
        .collect();
    sync::touch_many(db, sync::Feed::Diagnostics, &changes).await?;
    for p in people.iter().filter(|p| !p.results.is_empty()) {
        if let Some(place) = &p.place {
            touched.add(place);
        }
    }
    Ok(touched)
}

fn clean_all(fw: &Framework, input: &PersonResultsInput) -> AppResult<Vec<CleanResult>> {
    input.validate()?;
    let mut out: Vec<CleanResult> = Vec::with_capacity(input.results.len());
    for r in &input.results {
        let c = check_result(fw, r).map_err(|m| AppError::invalid("results", m))?;
        if out.iter().any(|o| o.competency_id == c.competency_id) {
            return Err(AppError::invalid(
                "results",
                "Каждая компетенция может встречаться один раз.",
            ));
        }
        out.push(c);
    }
    Ok(out)
}

/// A person's results in a campaign with the proposed deficits.
pub async fn person_dto(
    db: &impl ConnectionTrait,
    campaign: &Campaign,
    fw: &Framework,
    person: &user::Model,
    rows: &[diagnostic_result::Model],
) -> AppResult<PersonResultsDto> {
    let mut results = Vec::new();
    let mut proposed = Vec::new();
    // In the framework's order.
    for (c, group) in &fw.competencies {
        let Some(r) = rows.iter().find(|r| r.competency_id == c.id) else {
            continue;
        };
        let level: CompetencyLevel = db::parse_code(&r.level)?;
        let deficit = fw.rule.is_deficit(level, r.score);
        if deficit {
            proposed.push(ProposedDeficit {
                competency: comp_ref(c),
                level,
                score: r.score,
                title: deficit_title(c),
            });
        }
        results.push(ResultDto {
            competency: comp_ref(c),
            group_code: group.clone(),
            level,
            score: r.score,
            comment: r.comment.clone(),
            source: db::parse_code(&r.source)?,
            deficit,
        });
    }
    let school = match person.workplace_id {
        Some(id) => units::find(db, id).await?.map(|u| u.name),
        None => None,
    };
    Ok(PersonResultsDto {
        campaign: campaign.brief(),
        person: people::to_ref(person),
        school,
        results,
        proposed_deficits: proposed,
        deficit_rule: fw.rule.describe_ru(),
    })
}

async fn rows_of(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    person: Uuid,
) -> AppResult<Vec<diagnostic_result::Model>> {
    Ok(diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign))
        .filter(diagnostic_result::Column::PersonId.eq(person))
        .all(db)
        .await?)
}

/// A person the principal may read, with their workplace.
async fn readable_person(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<(user::Model, shared::access::PersonFacts)> {
    let person = users::find(db, id).await?.ok_or(AppError::NotFound)?;
    let (facts, _) = people::facts(db, principal, &person).await?;
    if !principal.actor.can_read_person(&facts) {
        return Err(AppError::NotFound);
    }
    // The administrator runs the platform; diagnostic results are personal.
    if principal.actor.is_admin()
        && person.id != principal.id()
        && !principal
            .actor
            .manages(&facts.workplace.unwrap_or(UnitPath::region(Uuid::nil())))
    {
        return Err(AppError::NotFound);
    }
    Ok((person, facts))
}

pub async fn get_person(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    person_id: Uuid,
) -> AppResult<PersonResultsDto> {
    let c = load_campaign(&state.db, principal, campaign_id).await?;
    let (person, facts) = readable_person(&state.db, principal, person_id).await?;
    people::audit_read(
        state,
        principal,
        &facts,
        "diagnostics.read",
        "diagnostic_campaign",
        campaign_id,
    );
    let fw = load_framework(&state.db, c.model.framework_id).await?;
    let rows = rows_of(&state.db, campaign_id, person_id).await?;
    person_dto(&state.db, &c, &fw, &person, &rows).await
}

/// Hand entry of a person's results (replacing theirs in the campaign).
pub async fn put_person(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    person_id: Uuid,
    req: PersonResultsInput,
) -> AppResult<PersonResultsDto> {
    let txn = db::begin_write(&state.db).await?;
    let c = load_campaign(&txn, principal, campaign_id).await?;
    let (person, facts) = readable_person(&txn, principal, person_id).await?;
    let workplace = facts.workplace;
    let allowed = workplace.is_some_and(|w| {
        principal
            .actor
            .can_enter_results(c.level, &c.organiser_path, &w)
    });
    if !allowed {
        return Err(AppError::forbidden(
            "Результаты вносят организаторы диагностики и руководители организации педагога.",
        ));
    }
    if c.kind == DiagnosticKind::SelfAssessment {
        return Err(AppError::conflict(
            "self_assessment_only",
            "Результаты самооценки заполняет сам педагог.",
        ));
    }
    if !c.covers(workplace.as_ref()) {
        return Err(AppError::invalid(
            "person",
            "Педагог не входит в охват этой диагностики.",
        ));
    }
    let fw = load_framework(&txn, c.model.framework_id).await?;
    let clean = clean_all(&fw, &req)?;
    let touched = write_person(
        &txn,
        campaign_id,
        person_id,
        workplace.as_ref(),
        &clean,
        ResultSource::Manual,
        principal.id(),
    )
    .await?;
    rollup::recompute(&txn, campaign_id, &fw.rule, touched).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "diagnostic.results_entered",
            "diagnostic_campaign",
            campaign_id,
            serde_json::json!({ "person_id": person_id, "results": clean.len() }),
        ),
    )
    .await?;
    let rows = rows_of(&txn, campaign_id, person_id).await?;
    let dto = person_dto(&txn, &c, &fw, &person, &rows).await?;
    txn.commit().await?;
    Ok(dto)
}

/// The teacher's own self-assessment in a self-assessment campaign.
pub async fn put_self(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    req: PersonResultsInput,
) -> AppResult<PersonResultsDto> {
    let txn = db::begin_write(&state.db).await?;
    let c = load_campaign(&txn, principal, campaign_id).await?;
    if c.kind != DiagnosticKind::SelfAssessment {
        return Err(AppError::conflict(
            "not_self_assessment",
            "Это независимая диагностика: её результаты вносят организаторы, а не сам педагог.",
        ));
    }
    let person = principal.user.clone();
    let workplace = match person.workplace_id {
        Some(id) => units::find(&txn, id).await?,
        None => None,
    }
    .map(|u| units::path(&u))
    .transpose()?;
    if !c.covers(workplace.as_ref()) {
        return Err(AppError::forbidden(
            "Эта самооценка проводится для педагогов других организаций.",
        ));
    }
    let fw = load_framework(&txn, c.model.framework_id).await?;
    let clean = clean_all(&fw, &req)?;
    let touched = write_person(
        &txn,
        campaign_id,
        person.id,
        workplace.as_ref(),
        &clean,
        ResultSource::SelfAssessment,
        principal.id(),
    )
    .await?;
    rollup::recompute(&txn, campaign_id, &fw.rule, touched).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "diagnostic.self_assessed",
            "diagnostic_campaign",
            campaign_id,
            serde_json::json!({ "results": clean.len() }),
        ),
    )
    .await?;
    let rows = rows_of(&txn, campaign_id, person.id).await?;
    let dto = person_dto(&txn, &c, &fw, &person, &rows).await?;
    txn.commit().await?;
    Ok(dto)
}

/// The caller's own results in every campaign, newest first.
pub async fn mine(state: &AppState, principal: &Principal) -> AppResult<Vec<PersonResultsDto>> {
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::PersonId.eq(principal.id()))
        .all(&state.db)
        .await?;
    let mut by_campaign: HashMap<Uuid, Vec<diagnostic_result::Model>> = HashMap::new();
    for r in rows {
        by_campaign.entry(r.campaign_id).or_default().push(r);
    }
    let mut out = Vec::new();
    for (campaign_id, rows) in by_campaign {
        let c = match load_campaign(&state.db, principal, campaign_id).await {
            Ok(c) => c,
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let fw = load_framework(&state.db, c.model.framework_id).await?;
        out.push(person_dto(&state.db, &c, &fw, &principal.user, &rows).await?);
    }
    out.sort_by(|a, b| {
        b.campaign
            .date
            .cmp(&a.campaign.date)
            .then(a.campaign.name.cmp(&b.campaign.name))
    });
    Ok(out)
}

/// A page of people with results in a campaign, among those the caller may see.
pub async fn list(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    unit_id: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> AppResult<Page<PersonResultsDto>> {
    let db = &state.db;
    let c = load_campaign(db, principal, campaign_id).await?;
    let mut cond = visible_results(principal);
    if let Some(u) = unit_id {
        let unit = units::find(db, u)
            .await?
            .ok_or_else(|| AppError::invalid("unit_id", "Подразделение не найдено."))?;
        let path = units::path(&unit)?;
        if !principal.actor.can_read_unit(&path) {
            return Err(AppError::invalid("unit_id", "Подразделение не найдено."));
        }
        cond = sea_orm::Condition::all()
            .add(cond)
            .add(super::within(&path));
    }
    let total = count_people(db, campaign_id, cond.clone()).await?;
    let limit = limit.clamp(1, 200);
    let ids: Vec<Uuid> = diagnostic_result::Entity::find()
        .select_only()
        .column(diagnostic_result::Column::PersonId)
        .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
        .filter(cond)
        .group_by(diagnostic_result::Column::PersonId)
        .order_by_asc(diagnostic_result::Column::PersonId)
        .offset(offset)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
        .filter(diagnostic_result::Column::PersonId.is_in(ids.clone()))
        .all(db)
        .await?;
    let mut people_rows = users::find_many(db, &ids).await?;
    people_rows.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
    // Each person on the page was read: one audit entry each (batched, not per query).
    let workplace_ids: Vec<Uuid> = people_rows.iter().filter_map(|p| p.workplace_id).collect();
    let workplaces: HashMap<Uuid, UnitPath> = units::find_many(db, &workplace_ids)
        .await?
        .iter()
        .map(|u| Ok((u.id, units::path(u)?)))
        .collect::<AppResult<_>>()?;
    for p in &people_rows {
        let facts = shared::access::PersonFacts {
            id: p.id,
            workplace: p.workplace_id.and_then(|w| workplaces.get(&w).copied()),
            links: shared::access::Links::default(),
        };
        people::audit_read(
            state,
            principal,
            &facts,
            "diagnostics.read",
            "diagnostic_campaign",
            campaign_id,
        );
    }
    let fw = load_framework(db, c.model.framework_id).await?;
    let mut items = Vec::with_capacity(people_rows.len());
    for p in &people_rows {
        let mine: Vec<diagnostic_result::Model> = rows
            .iter()
            .filter(|r| r.person_id == p.id)
            .cloned()
            .collect();
        items.push(person_dto(db, &c, &fw, p, &mine).await?);
    }
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

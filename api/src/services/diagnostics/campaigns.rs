//! Diagnostic campaigns: organised by the managers of their level, seen by everyone in the
//! region.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use shared::dto::{CampaignDto, CampaignInput, FrameworkRef, FrameworkStatus};
use uuid::Uuid;
use validator::Validate;

use super::{Campaign, count_people, load_campaign, visible_results};
use crate::auth::Principal;
use crate::db::entities::{diagnostic_campaign, diagnostic_result, framework};
use crate::db::{self, audit, units};
use crate::error::{AppError, AppResult};
use crate::services::integration::sync;
use crate::services::route::create::clean;
use crate::state::AppState;

pub async fn to_dto(
    db: &impl ConnectionTrait,
    principal: &Principal,
    c: &Campaign,
) -> AppResult<CampaignDto> {
    let fw = framework::Entity::find_by_id(c.model.framework_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CampaignDto {
        id: c.model.id,
        name: c.model.name.clone(),
        level: c.level,
        kind: c.kind,
        framework: FrameworkRef {
            id: fw.id,
            name: fw.name,
            version: fw.version,
        },
        date: c.model.date,
        organiser: units::to_ref(&c.organiser)?,
        unit: units::to_ref(&c.unit)?,
        description: c.model.description.clone(),
        assessed: count_people(db, c.model.id, visible_results(principal)).await?,
        can_manage: c.can_manage(principal),
        created_at: c.model.created_at,
        updated_at: c.model.updated_at,
    })
}

/// Campaigns of the caller's regions, newest first.
pub async fn list(db: &impl ConnectionTrait, principal: &Principal) -> AppResult<Vec<CampaignDto>> {
    let mut q = diagnostic_campaign::Entity::find();
    if !principal.actor.is_admin() {
        let regions: Vec<Uuid> = principal.actor.regions().collect();
        q = q.filter(diagnostic_campaign::Column::RegionId.is_in(regions));
    }
    let rows = q
        .order_by_desc(diagnostic_campaign::Column::Date)
        .order_by_desc(diagnostic_campaign::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let c = load_campaign(db, principal, m.id).await?;
        out.push(to_dto(db, principal, &c).await?);
    }
    Ok(out)
}

pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<CampaignDto> {
    let c = load_campaign(db, principal, id).await?;
    to_dto(db, principal, &c).await
}

/// Checks what a campaign refers to; returns (region, organiser, covered unit).
async fn check_input(
    db: &impl ConnectionTrait,
    principal: &Principal,
    req: &CampaignInput,
) -> AppResult<(Uuid, Uuid, Uuid)> {
    req.validate()?;
    let organiser = units::find(db, req.organiser_id)
        .await?
        .ok_or_else(|| AppError::invalid("organiser_id", "Организатор не найден."))?;
    let org_path = units::path(&organiser)?;
    if !principal.actor.can_read_unit(&org_path) {
        return Err(AppError::invalid("organiser_id", "Организатор не найден."));
    }
    if !principal.actor.can_manage_campaign(req.level, &org_path) {
        return Err(AppError::forbidden(format!(
            "Диагностику уровня «{}» от имени этой организации проводят её руководители.",
            req.level.title_ru().to_lowercase()
        )));
    }
    let unit_id = req.unit_id.unwrap_or(organiser.id);
    let unit = units::find(db, unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("unit_id", "Подразделение не найдено."))?;
    if !org_path.contains(&units::path(&unit)?) {
        return Err(AppError::invalid(
            "unit_id",
            "Диагностика может охватывать только организатора и подчинённые ему организации.",
        ));
    }
    let fw = framework::Entity::find_by_id(req.framework_id)
        .one(db)
        .await?
        .filter(|f| f.region_id.is_none_or(|r| r == org_path.region))
        .ok_or_else(|| AppError::invalid("framework_id", "Рамка компетенций не найдена."))?;
    if fw.status != FrameworkStatus::Published.as_str() {
        return Err(AppError::invalid(
            "framework_id",
            "Диагностика проводится по опубликованной версии рамки компетенций.",
        ));
    }
    Ok((org_path.region, organiser.id, unit.id))
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: CampaignInput,
) -> AppResult<CampaignDto> {
    let txn = db::begin_write(&state.db).await?;
    let (region, organiser, unit) = check_input(&txn, principal, &req).await?;
    let id = db::new_id();
    let t = db::now();
    diagnostic_campaign::ActiveModel {
        id: Set(id),
        region_id: Set(region),
        name: Set(req.name.trim().to_owned()),
        level: Set(req.level.as_str().into()),
        kind: Set(req.kind.as_str().into()),
        framework_id: Set(req.framework_id),
        date: Set(req.date),
        organiser_id: Set(organiser),
        unit_id: Set(unit),
        description: Set(clean(req.description)),
        created_by: Set(principal.id()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "campaign.created",
            "diagnostic_campaign",
            id,
            serde_json::json!({ "name": req.name.trim() }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(&state.db, principal, id).await
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: CampaignInput,
) -> AppResult<CampaignDto> {
    let txn = db::begin_write(&state.db).await?;
    let c = load_campaign(&txn, principal, id).await?;
    if !c.can_manage(principal) {
        return Err(AppError::forbidden(
            "Изменять диагностику могут её организаторы.",
        ));
    }
    let (_, organiser, unit) = check_input(&txn, principal, &req).await?;
    let has_results = count_people(&txn, id, sea_orm::Condition::all()).await? > 0;
    if has_results && (req.framework_id != c.model.framework_id || req.kind != c.kind) {
        return Err(AppError::conflict(
            "campaign_has_results",
            "У диагностики уже есть результаты: её вид и рамку компетенций изменить нельзя.",
        ));
    }
    let mut am = c.model.into_active_model();
    am.name = Set(req.name.trim().to_owned());
    am.level = Set(req.level.as_str().into());
    am.kind = Set(req.kind.as_str().into());
    am.framework_id = Set(req.framework_id);
    am.date = Set(req.date);
    am.organiser_id = Set(organiser);
    am.unit_id = Set(unit);
    am.description = Set(clean(req.description));
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "campaign.updated",
            "diagnostic_campaign",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    get(&state.db, principal, id).await
}

/// A person and where their results were obtained: region, district, municipality, school.
type PersonPlace = (Uuid, Uuid, Option<Uuid>, Option<Uuid>, Option<Uuid>);

/// Removes a campaign with its results (routes keep the copies they took).
pub async fn delete(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
    let c = load_campaign(&txn, principal, id).await?;
    if !c.can_manage(principal) {
        return Err(AppError::forbidden(
            "Удалять диагностику могут её организаторы.",
        ));
    }
    // Every person's results in it leave the diagnostics feed as tombstones.
    let people: Vec<PersonPlace> = diagnostic_result::Entity::find()
        .select_only()
        .column(diagnostic_result::Column::PersonId)
        .column(diagnostic_result::Column::RegionId)
        .column(diagnostic_result::Column::DistrictId)
        .column(diagnostic_result::Column::MunicipalityId)
        .column(diagnostic_result::Column::SchoolId)
        .filter(diagnostic_result::Column::CampaignId.eq(id))
        .distinct()
        .into_tuple()
        .all(&txn)
        .await?;
    let gone: Vec<sync::Change> = people
        .into_iter()
        .map(|(person, region, district, municipality, school)| {
            let place = shared::UnitPath {
                region,
                district,
                municipality,
                school,
            };
            sync::sheet_change(id, person, Some(place), true)
        })
        .collect();
    sync::touch_many(&txn, sync::Feed::Diagnostics, &gone).await?;
    diagnostic_campaign::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "campaign.deleted",
            "diagnostic_campaign",
            id,
            serde_json::json!({ "name": c.model.name }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Campaigns of a kind whose coverage includes `workplace` (for a teacher's own page).
pub async fn covering(
    db: &impl ConnectionTrait,
    principal: &Principal,
    workplace: &shared::UnitPath,
) -> AppResult<Vec<Campaign>> {
    let rows = diagnostic_campaign::Entity::find()
        .filter(diagnostic_campaign::Column::RegionId.eq(workplace.region))
        .order_by_desc(diagnostic_campaign::Column::Date)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for m in rows {
        let c = load_campaign(db, principal, m.id).await?;
        if c.covers(Some(workplace)) {
            out.push(c);
        }
    }
    Ok(out)
}

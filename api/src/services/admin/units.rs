//! Creating, renaming, archiving units; a region's policy.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use shared::UnitKind;
use shared::dto::{CreateUnit, RegionPolicyDto, UnitDto, UpdateUnit};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::entities::{org_unit, region_policy};
use crate::db::{self, audit, policies, units};
use crate::error::{AppError, AppResult};
use crate::services::route::create::clean;
use crate::state::AppState;

fn record<'a>(
    principal: &Principal,
    action: &'a str,
    id: Uuid,
    details: serde_json::Value,
) -> audit::Entry<'a> {
    audit::Entry::by_user(principal.id(), action, "unit", id, details)
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: CreateUnit,
) -> AppResult<UnitDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let parent = match req.parent_id {
        Some(id) => Some(units::find(&txn, id).await?.ok_or_else(|| {
            AppError::invalid("parent_id", "Вышестоящее подразделение не найдено.")
        })?),
        None => None,
    };
    match &parent {
        None if req.kind != UnitKind::Region => {
            return Err(AppError::invalid(
                "parent_id",
                "Укажите вышестоящее подразделение.",
            ));
        }
        None if !principal.actor.is_admin() => {
            return Err(AppError::forbidden(
                "Регионы создаёт администратор платформы.",
            ));
        }
        Some(p) => {
            let path = units::path(p)?;
            if !principal.actor.can_read_unit(&path) {
                return Err(AppError::invalid(
                    "parent_id",
                    "Вышестоящее подразделение не найдено.",
                ));
            }
            if !req.kind.allowed_parents().contains(&units::kind(p)?) {
                return Err(AppError::invalid(
                    "parent_id",
                    format!(
                        "«{}» не может входить в «{}».",
                        req.kind.title_ru(),
                        units::kind(p)?.title_ru()
                    ),
                ));
            }
            if p.archived_at.is_some() {
                return Err(AppError::invalid(
                    "parent_id",
                    "Вышестоящее подразделение в архиве.",
                ));
            }
            if !principal.actor.can_create_unit(req.kind, &path) {
                return Err(AppError::forbidden(
                    "У вас нет права создавать подразделения здесь.",
                ));
            }
        }
        _ => {}
    }
    let mut unit = units::insert(
        &txn,
        req.kind,
        &req.name,
        req.short_name.as_deref(),
        parent.as_ref(),
    )
    .await?;
    if let Some(ext) = clean(req.external_id) {
        let mut am = unit.into_active_model();
        am.external_id = Set(Some(ext));
        unit = am.update(&txn).await?;
    }
    if req.kind == UnitKind::Region {
        crate::services::consents::ensure_defaults(&txn, unit.id).await?;
    }
    audit::record(
        &txn,
        record(
            principal,
            "unit.created",
            unit.id,
            serde_json::json!({ "name": unit.name, "kind": unit.kind }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(units::to_dto(&unit)?)
}

async fn load_managed(
    db: &impl sea_orm::ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<org_unit::Model> {
    let unit = units::find(db, id).await?.ok_or(AppError::NotFound)?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::NotFound);
    }
    if !principal.actor.can_manage_unit(&path) {
        return Err(AppError::forbidden(
            "У вас нет права изменять это подразделение.",
        ));
    }
    Ok(unit)
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: UpdateUnit,
) -> AppResult<UnitDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let unit = load_managed(&txn, principal, id).await?;
    let mut am = unit.clone().into_active_model();
    am.name = Set(req.name.trim().to_owned());
    am.sort_key = Set(shared::text::sort_key(&[&req.name]));
    am.short_name = Set(clean(req.short_name));
    am.external_id = Set(clean(req.external_id));
    am.updated_at = Set(db::now());
    let unit = am.update(&txn).await?;
    audit::record(
        &txn,
        record(
            principal,
            "unit.updated",
            id,
            serde_json::json!({ "name": unit.name }),
        ),
    )
    .await?;
    txn.commit().await?;
    // Signed-in people's grants show the unit's name.
    state.principals.clear();
    Ok(units::to_dto(&unit)?)
}

/// Archives a unit (history refers to it, so it is never deleted). Its active sub-units must be
/// archived first.
pub async fn set_archived(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    archived: bool,
) -> AppResult<UnitDto> {
    let txn = db::begin_write(&state.db).await?;
    let unit = units::find(&txn, id).await?.ok_or(AppError::NotFound)?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::NotFound);
    }
    if !principal.actor.can_archive_unit(&path) {
        return Err(AppError::forbidden(
            "Переводить подразделение в архив может вышестоящий уровень.",
        ));
    }
    if archived {
        let active_children = org_unit::Entity::find()
            .filter(org_unit::Column::ParentId.eq(id))
            .filter(org_unit::Column::ArchivedAt.is_null())
            .count(&txn)
            .await?;
        if active_children > 0 {
            return Err(AppError::conflict(
                "unit_has_children",
                "Сначала переведите в архив входящие в подразделение организации.",
            ));
        }
    }
    let mut am = unit.into_active_model();
    am.archived_at = Set(archived.then(db::now));
    am.updated_at = Set(db::now());
    let unit = am.update(&txn).await?;
    let action = if archived {
        "unit.archived"
    } else {
        "unit.restored"
    };
    audit::record(&txn, record(principal, action, id, serde_json::json!({}))).await?;
    txn.commit().await?;
    // Grants on this unit confer nothing now (or again): at once here, within the cache's
    // lifetime on other instances.
    state.principals.clear();
    Ok(units::to_dto(&unit)?)
}

pub async fn policy(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> AppResult<RegionPolicyDto> {
    crate::services::units::readable_region(&state.db, principal, id).await?;
    let p = policies::for_region(&state.db, id).await?;
    Ok(RegionPolicyDto {
        max_route_months: i32::try_from(p.max_route_months).unwrap_or(12),
        max_extension_months: i32::try_from(p.max_extension_months).unwrap_or(6),
        remind_before_days: i32::try_from(p.reminders.remind_before_days).unwrap_or(3),
        escalate_after_days: i32::try_from(p.reminders.escalate_after_days).unwrap_or(7),
    })
}

pub async fn set_policy(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: RegionPolicyDto,
) -> AppResult<RegionPolicyDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let (region, _) = crate::services::units::readable_region(&txn, principal, id).await?;
    if !principal.actor.can_manage_unit(&units::path(&region)?) {
        return Err(AppError::forbidden(
            "Политику региона задаёт менеджер ЦНППМ или администратор.",
        ));
    }
    let row = region_policy::ActiveModel {
        region_id: Set(id),
        max_route_months: Set(req.max_route_months),
        max_extension_months: Set(req.max_extension_months),
        remind_before_days: Set(req.remind_before_days),
        escalate_after_days: Set(req.escalate_after_days),
        updated_at: Set(db::now()),
    };
    if region_policy::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .is_some()
    {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    audit::record(
        &txn,
        record(
            principal,
            "region.policy_changed",
            id,
            serde_json::to_value(req).unwrap_or_default(),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(req)
}

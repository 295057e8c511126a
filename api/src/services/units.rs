//! Units of the hierarchy as the principal may see them.

use sea_orm::ConnectionTrait;
use shared::dto::UnitDto;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::units;
use crate::error::{AppError, AppResult};

/// Every unit the principal may see: all for the administrator, else their regions' units.
pub async fn list(db: &impl ConnectionTrait, principal: &Principal) -> AppResult<Vec<UnitDto>> {
    let rows = if principal.actor.is_admin() {
        units::all(db).await?
    } else {
        let mut regions: Vec<Uuid> = principal.actor.regions().collect();
        regions.sort();
        regions.dedup();
        let mut rows = Vec::new();
        for r in regions {
            rows.extend(units::in_region(db, r).await?);
        }
        rows
    };
    rows.iter()
        .map(|u| units::to_dto(u).map_err(AppError::from))
        .collect()
}

pub async fn get(db: &impl ConnectionTrait, principal: &Principal, id: Uuid) -> AppResult<UnitDto> {
    let unit = units::find(db, id).await?.ok_or(AppError::NotFound)?;
    if !principal.actor.can_read_unit(&units::path(&unit)?) {
        return Err(AppError::NotFound);
    }
    Ok(units::to_dto(&unit)?)
}

/// A region by id (anything else, or nothing: 404). For public pages that name a region.
pub async fn region(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<crate::db::entities::org_unit::Model> {
    let unit = units::find(db, id).await?.ok_or(AppError::NotFound)?;
    if units::kind(&unit)? != shared::UnitKind::Region {
        return Err(AppError::NotFound);
    }
    Ok(unit)
}

/// A region the principal may see, with its path (out of scope: 404, like no region at all).
pub async fn readable_region(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<(crate::db::entities::org_unit::Model, shared::UnitPath)> {
    let unit = region(db, id).await?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::NotFound);
    }
    Ok((unit, path))
}

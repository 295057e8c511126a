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

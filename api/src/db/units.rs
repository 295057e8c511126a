//! The hierarchy's units.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use shared::{UnitKind, UnitPath};
use uuid::Uuid;

use super::entities::org_unit::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// All units of a region (the region itself included), in alphabetical order.
pub async fn in_region(db: &impl ConnectionTrait, region: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::RegionId.eq(region))
        .order_by_asc(Column::SortKey)
        .all(db)
        .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::SortKey).all(db).await
}

/// The unit's kind as stored.
pub fn kind(unit: &Model) -> anyhow::Result<UnitKind> {
    super::parse_code(&unit.kind)
}

/// Where the unit sits: its ancestors and itself.
pub fn path(unit: &Model) -> anyhow::Result<UnitPath> {
    let kind = kind(unit)?;
    Ok(UnitPath {
        region: unit.region_id,
        district: if kind == UnitKind::District {
            Some(unit.id)
        } else {
            unit.district_id
        },
        municipality: if kind == UnitKind::Municipality {
            Some(unit.id)
        } else {
            unit.municipality_id
        },
        school: (kind == UnitKind::School).then_some(unit.id),
    })
}

/// A new unit under `parent` (none for a region). The caller has checked the kinds fit.
pub async fn insert(
    db: &impl ConnectionTrait,
    kind: UnitKind,
    name: &str,
    short_name: Option<&str>,
    parent: Option<&Model>,
) -> anyhow::Result<Model> {
    let id = new_id();
    let parent_path = parent.map(path).transpose()?;
    let t = now();
    let unit = ActiveModel {
        id: Set(id),
        kind: Set(kind.as_str().to_owned()),
        name: Set(name.trim().to_owned()),
        short_name: Set(short_name.map(|s| s.trim().to_owned())),
        sort_key: Set(shared::text::sort_key(&[name])),
        parent_id: Set(parent.map(|p| p.id)),
        region_id: Set(parent_path.map_or(id, |p| p.region)),
        district_id: Set(parent_path.and_then(|p| p.district)),
        municipality_id: Set(parent_path.and_then(|p| p.municipality)),
        external_id: Set(None),
        archived_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    };
    Ok(unit.insert(db).await?)
}

pub fn to_ref(unit: &Model) -> anyhow::Result<shared::dto::UnitRef> {
    Ok(shared::dto::UnitRef {
        id: unit.id,
        kind: kind(unit)?,
        name: unit.name.clone(),
    })
}

pub fn to_dto(unit: &Model) -> anyhow::Result<shared::dto::UnitDto> {
    Ok(shared::dto::UnitDto {
        id: unit.id,
        kind: kind(unit)?,
        name: unit.name.clone(),
        short_name: unit.short_name.clone(),
        parent_id: unit.parent_id,
        external_id: unit.external_id.clone(),
        path: path(unit)?,
        archived: unit.archived_at.is_some(),
        created_at: unit.created_at,
        updated_at: unit.updated_at,
    })
}

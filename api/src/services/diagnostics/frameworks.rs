//! Editing competency frameworks: a region's draft (new, or a copy of a published version),
//! replaced whole while it is a draft, then published and never changed again.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use shared::dto::{CopyFramework, FrameworkDto, FrameworkInput, FrameworkStatus};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::entities::{competency, competency_group, framework};
use crate::db::{self, audit};
use crate::error::{AppError, AppResult};
use crate::services::frameworks::get;
use crate::state::AppState;

/// The region a new framework belongs to: the one named, else the caller's only one.
async fn region_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    named: Option<Uuid>,
) -> AppResult<Uuid> {
    let region = match named {
        Some(r) => r,
        None => {
            let mut regions: Vec<Uuid> = principal.actor.regions().collect();
            regions.sort();
            regions.dedup();
            match regions.as_slice() {
                [one] => *one,
                _ => {
                    return Err(AppError::invalid(
                        "region_id",
                        "Укажите регион, которому принадлежит рамка компетенций.",
                    ));
                }
            }
        }
    };
    if !principal.actor.can_edit_framework(Some(region)) {
        return Err(AppError::forbidden(
            "Рамки компетенций региона ведёт менеджер ЦНППМ региона.",
        ));
    }
    let is_region = crate::db::units::find(db, region)
        .await?
        .is_some_and(|u| u.kind == shared::UnitKind::Region.as_str());
    if !is_region {
        return Err(AppError::invalid("region_id", "Регион не найден."));
    }
    Ok(region)
}

fn check_input(req: &FrameworkInput) -> AppResult<()> {
    req.validate()?;
    let problems = req.tree_problems();
    if !problems.is_empty() {
        return Err(AppError::invalid_fields(problems));
    }
    Ok(())
}

/// Writes a draft's groups and competencies, replacing what was there.
async fn write_tree(
    db: &impl ConnectionTrait,
    framework_id: Uuid,
    req: &FrameworkInput,
) -> AppResult<()> {
    competency::Entity::delete_many()
        .filter(competency::Column::FrameworkId.eq(framework_id))
        .exec(db)
        .await?;
    competency_group::Entity::delete_many()
        .filter(competency_group::Column::FrameworkId.eq(framework_id))
        .exec(db)
        .await?;
    let t = db::now();
    for (gpos, g) in req.groups.iter().enumerate() {
        let group_id = db::new_id();
        competency_group::Entity::insert(competency_group::ActiveModel {
            id: Set(group_id),
            framework_id: Set(framework_id),
            code: Set(g.code.trim().to_owned()),
            name: Set(g.name.trim().to_owned()),
            position: Set(i32::try_from(gpos).unwrap_or(0)),
            created_at: Set(t),
            updated_at: Set(t),
        })
        .exec_without_returning(db)
        .await?;
        for (cpos, c) in g.competencies.iter().enumerate() {
            competency::Entity::insert(competency::ActiveModel {
                id: Set(db::new_id()),
                framework_id: Set(framework_id),
                group_id: Set(group_id),
                code: Set(c.code.trim().to_owned()),
                name: Set(c.name.trim().to_owned()),
                description: Set(crate::services::route::create::clean(c.description.clone())),
                labour_function: Set(crate::services::route::create::clean(
                    c.labour_function.clone(),
                )),
                position: Set(i32::try_from(gpos * 100 + cpos).unwrap_or(0)),
                low_max: Set(c.low_max),
                medium_max: Set(c.medium_max),
                created_at: Set(t),
                updated_at: Set(t),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

fn rule_json(req: &FrameworkInput) -> AppResult<String> {
    serde_json::to_string(&req.deficit_rule.clone().unwrap_or_default())
        .map_err(|e| AppError::Unexpected(e.into()))
}

/// The next version number of a framework code in a region.
async fn next_version(db: &impl ConnectionTrait, region: Uuid, code: &str) -> AppResult<i32> {
    let last = framework::Entity::find()
        .filter(framework::Column::RegionId.eq(region))
        .filter(framework::Column::Code.eq(code))
        .order_by_desc(framework::Column::Version)
        .one(db)
        .await?;
    Ok(last.map_or(1, |f| f.version + 1))
}

/// Creates a region's own framework as a draft.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: FrameworkInput,
) -> AppResult<FrameworkDto> {
    check_input(&req)?;
    let region = region_for(&state.db, principal, req.region_id).await?;
    let txn = db::begin_write(&state.db).await?;
    let code = format!("region-{}", &db::new_id().simple().to_string()[..8]);
    let id = db::new_id();
    let t = db::now();
    framework::ActiveModel {
        id: Set(id),
        region_id: Set(Some(region)),
        code: Set(code),
        name: Set(req.name.trim().to_owned()),
        version: Set(1),
        status: Set(FrameworkStatus::Draft.as_str().into()),
        based_on_id: Set(None),
        published_at: Set(None),
        deficit_rule: Set(rule_json(&req)?),
        revision: Set(1),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    write_tree(&txn, id, &req).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "framework.created",
            "framework",
            id,
            serde_json::json!({ "region_id": region }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(&state.db, principal, id).await
}

/// Copies a published version into a new draft version of the region (the platform's default
/// becomes the region's own framework; a region's own gets its next version).
pub async fn copy(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: CopyFramework,
) -> AppResult<FrameworkDto> {
    let source = get(&state.db, principal, id).await?;
    let region = region_for(&state.db, principal, req.region_id.or(source.region_id)).await?;
    if source.status == FrameworkStatus::Draft {
        return Err(AppError::conflict(
            "framework_draft",
            "Копировать можно опубликованную версию; черновик редактируйте.",
        ));
    }
    let txn = db::begin_write(&state.db).await?;
    let code = if source.region_id == Some(region) {
        source.code.clone()
    } else {
        format!("{}-{}", source.code, &region.simple().to_string()[..8])
    };
    let version = next_version(&txn, region, &code).await?;
    let new_id = db::new_id();
    let t = db::now();
    framework::ActiveModel {
        id: Set(new_id),
        region_id: Set(Some(region)),
        code: Set(code),
        name: Set(source.name.clone()),
        version: Set(version),
        status: Set(FrameworkStatus::Draft.as_str().into()),
        based_on_id: Set(Some(source.id)),
        published_at: Set(None),
        deficit_rule: Set(serde_json::to_string(&source.deficit_rule)
            .map_err(|e| AppError::Unexpected(e.into()))?),
        revision: Set(1),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    write_tree(&txn, new_id, &source.to_input()).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "framework.copied",
            "framework",
            new_id,
            serde_json::json!({ "from": source.id, "version": version }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(&state.db, principal, new_id).await
}

/// Loads a framework the caller may edit, as a draft: 404 out of sight, 403 without the
/// right, 409 once published.
async fn editable(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<framework::Model> {
    let dto = get(db, principal, id).await?;
    if !principal.actor.can_edit_framework(dto.region_id) || dto.region_id.is_none() {
        return Err(AppError::forbidden(
            "Рамку компетенций изменяет менеджер ЦНППМ её региона; общую рамку платформы можно только скопировать.",
        ));
    }
    let model = framework::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if model.status != FrameworkStatus::Draft.as_str() {
        return Err(AppError::conflict(
            "framework_published",
            "Опубликованная версия рамки не изменяется: сделайте её копию.",
        ));
    }
    Ok(model)
}

/// Replaces a draft's name, rule, groups and competencies, when the caller's copy is the
/// current revision (412 otherwise, so two editors never overwrite each other).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: FrameworkInput,
) -> AppResult<FrameworkDto> {
    let txn = db::begin_write(&state.db).await?;
    let model = editable(&txn, principal, id).await?;
    // An invalid body is refused as such, whatever revision it names.
    check_input(&req)?;
    if req.revision.is_none() {
        return Err(AppError::invalid(
            "revision",
            "Укажите редакцию черновика, на основе которой сделано изменение.",
        ));
    }
    crate::services::route::edit::expect_version(model.revision, req.revision)?;
    write_tree(&txn, id, &req).await?;
    let revision = model.revision + 1;
    let mut am = model.into_active_model();
    am.revision = Set(revision);
    am.name = Set(req.name.trim().to_owned());
    am.deficit_rule = Set(rule_json(&req)?);
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "framework.updated",
            "framework",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    get(&state.db, principal, id).await
}

/// Publishes a draft: from now on it is immutable, and new routes of the region use it.
pub async fn publish(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<FrameworkDto> {
    let txn = db::begin_write(&state.db).await?;
    let model = editable(&txn, principal, id).await?;
    let count = competency::Entity::find()
        .filter(competency::Column::FrameworkId.eq(id))
        .count(&txn)
        .await?;
    if count == 0 {
        return Err(AppError::invalid(
            "groups",
            "В рамке нет компетенций: публиковать нечего.",
        ));
    }
    let t = db::now();
    let mut am = model.into_active_model();
    am.status = Set(FrameworkStatus::Published.as_str().into());
    am.published_at = Set(Some(t));
    am.updated_at = Set(t);
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "framework.published",
            "framework",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    get(&state.db, principal, id).await
}

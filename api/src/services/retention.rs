//! Retention of personal data (regulation 4.3; 152-ФЗ, art. 5 p. 7): per region, how long
//! ended routes, their files, diagnostic results and access records are kept, and the nightly
//! run that removes what has expired and reports it to the regional manager.
//!
//! An expired route is anonymised, not deleted: the region's statistics keep it, its
//! certificate still verifies by number without the name, and integrations get a tombstone.
//! Work goes in chunks, each its own transaction, and only touches what has not been done yet,
//! so a run cut short is finished by the next one; stored files are deleted after their rows'
//! commit (a file left behind by a crash is swept as an orphan).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::dto::{RetentionDto, RetentionPolicyDto, RetentionRunDto};
use shared::retention::{RetentionPolicy, RetentionTrigger};
use shared::{RouteStatus, UnitKind};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::audit::{self, Entry};
use crate::db::entities::*;
use crate::db::{self, users};
use crate::error::{AppError, AppResult};
use crate::services::erasure::{PLACEHOLDER, anonymise_routes};
use crate::services::integration::sync;
use crate::state::AppState;

/// The nightly job over every region.
pub const SWEEP: &str = "retention.sweep";

/// Rows per transaction: short write locks on SQLite, bounded parameter lists everywhere.
const CHUNK: u64 = 500;

/// How many runs the report shows.
const REPORT_RUNS: u64 = 30;

async fn policy_of(db: &impl ConnectionTrait, region: Uuid) -> AppResult<RetentionDto> {
    let row = retention_policy::Entity::find_by_id(region).one(db).await?;
    Ok(match row {
        Some(r) => RetentionDto {
            region_id: region,
            policy: RetentionPolicyDto {
                routes_years: r.routes_years,
                files_years: r.files_years,
                results_years: r.results_years,
                audit_years: r.audit_years,
            },
            updated_at: Some(r.updated_at),
        },
        None => RetentionDto {
            region_id: region,
            policy: RetentionPolicy::default().into(),
            updated_at: None,
        },
    })
}

fn may_manage(principal: &Principal, region: &shared::UnitPath) -> AppResult<()> {
    if principal.actor.can_manage_unit(region) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Сроки хранения персональных данных задаёт менеджер ЦНППМ региона.",
        ))
    }
}

/// The region's periods: anyone who works in the region may read how long their data is kept.
pub async fn get(state: &AppState, principal: &Principal, region: Uuid) -> AppResult<RetentionDto> {
    crate::services::units::readable_region(&state.db, principal, region).await?;
    policy_of(&state.db, region).await
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    region: Uuid,
    input: RetentionPolicyDto,
) -> AppResult<RetentionDto> {
    input.validate()?;
    input
        .policy()
        .check()
        .map_err(|m| AppError::invalid("files_years", m))?;
    let txn = db::begin_write(&state.db).await?;
    let (_, path) = crate::services::units::readable_region(&txn, principal, region).await?;
    may_manage(principal, &path)?;
    let before = policy_of(&txn, region).await?;
    let am = retention_policy::ActiveModel {
        region_id: Set(region),
        routes_years: Set(input.routes_years),
        files_years: Set(input.files_years),
        results_years: Set(input.results_years),
        audit_years: Set(input.audit_years),
        updated_by: Set(Some(principal.id())),
        updated_at: Set(db::now()),
    };
    if before.updated_at.is_some() {
        am.update(&txn).await?;
    } else {
        am.insert(&txn).await?;
    }
    audit::record(
        &txn,
        Entry::by_user(
            principal.id(),
            "retention_policy.changed",
            "org_unit",
            region,
            serde_json::json!({ "before": policy_json(&before.policy), "after": policy_json(&input) }),
        ),
    )
    .await?;
    let dto = policy_of(&txn, region).await?;
    txn.commit().await?;
    Ok(dto)
}

fn policy_json(p: &RetentionPolicyDto) -> serde_json::Value {
    serde_json::json!({
        "routes_years": p.routes_years,
        "files_years": p.files_years,
        "results_years": p.results_years,
        "audit_years": p.audit_years,
    })
}

/// The report: the region's latest runs, newest first (its managers only).
pub async fn runs(
    state: &AppState,
    principal: &Principal,
    region: Uuid,
) -> AppResult<Vec<RetentionRunDto>> {
    let (_, path) = crate::services::units::readable_region(&state.db, principal, region).await?;
    may_manage(principal, &path)?;
    let rows = retention_run::Entity::find()
        .filter(retention_run::Column::RegionId.eq(region))
        .order_by_desc(retention_run::Column::CreatedAt)
        .limit(REPORT_RUNS)
        .all(&state.db)
        .await?;
    run_dtos(&state.db, rows).await
}

/// «Выполнить сейчас»: the same run the night would make, at once.
pub async fn run_now(
    state: &AppState,
    principal: &Principal,
    region: Uuid,
) -> AppResult<RetentionRunDto> {
    let (_, path) = crate::services::units::readable_region(&state.db, principal, region).await?;
    may_manage(principal, &path)?;
    let row = run_region(
        &state.db,
        &state.settings.files_dir,
        region,
        RetentionTrigger::Manual,
        Some(principal.id()),
        db::now(),
    )
    .await?;
    state.principals.clear();
    Ok(run_dtos(&state.db, vec![row]).await?.remove(0))
}

async fn run_dtos(
    db: &impl ConnectionTrait,
    rows: Vec<retention_run::Model>,
) -> AppResult<Vec<RetentionRunDto>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.started_by).collect();
    let names = users::full_names(db, &ids).await?;
    rows.into_iter()
        .map(|r| {
            Ok(RetentionRunDto {
                id: r.id,
                region_id: r.region_id,
                trigger: db::parse_code(&r.trigger)?,
                started_by: r.started_by.and_then(|s| names.get(&s).cloned()),
                ran_at: r.created_at,
                policy: serde_json::from_str(&r.policy).map_err(anyhow::Error::from)?,
                outcome: serde_json::from_str(&r.outcome).map_err(anyhow::Error::from)?,
            })
        })
        .collect()
}

/// The nightly job: every region, one after another.
pub async fn sweep_job(
    db: DatabaseConnection,
    files_dir: std::path::PathBuf,
    _: serde_json::Value,
) -> anyhow::Result<()> {
    let regions = org_unit::Entity::find()
        .filter(org_unit::Column::Kind.eq(UnitKind::Region.as_str()))
        .all(&db)
        .await?;
    for r in regions {
        run_region(
            &db,
            &files_dir,
            r.id,
            RetentionTrigger::Schedule,
            None,
            db::now(),
        )
        .await?;
    }
    Ok(())
}

/// Applies the region's periods as of `now` and records the run.
pub async fn run_region(
    db: &DatabaseConnection,
    files_dir: &std::path::Path,
    region: Uuid,
    trigger: RetentionTrigger,
    started_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<retention_run::Model> {
    let policy = policy_of(db, region).await?.policy;
    let cut = policy.policy().cutoffs(now);
    let mut outcome: BTreeMap<String, u64> = BTreeMap::new();
    let mut add = |counts: BTreeMap<String, u64>| {
        for (k, n) in counts {
            *outcome.entry(k).or_insert(0) += n;
        }
    };

    // Files first: a shorter period for them than for their route.
    loop {
        let files = route_file::Entity::find()
            .filter(route_file::Column::RouteId.in_subquery(ended_routes(region, cut.files)))
            .limit(CHUNK)
            .all(db)
            .await?;
        if files.is_empty() {
            break;
        }
        let txn = db::begin_write(db).await?;
        let n = route_file::Entity::delete_many()
            .filter(route_file::Column::Id.is_in(files.iter().map(|f| f.id)))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        remove_files(files_dir, files.into_iter().map(|f| f.storage_key));
        add(BTreeMap::from([("route_files".to_owned(), n)]));
    }

    // Routes: anonymised, with their certificates.
    loop {
        let routes = route::Entity::find()
            .filter(route::Column::Id.in_subquery(ended_routes(region, cut.routes)))
            .limit(CHUNK)
            .all(db)
            .await?;
        if routes.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = routes.iter().map(|r| r.id).collect();
        let txn = db::begin_write(db).await?;
        let keys: Vec<String> = route_file::Entity::find()
            .filter(route_file::Column::RouteId.is_in(ids.clone()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|f| f.storage_key)
            .collect();
        for r in &routes {
            sync::touch_route(&txn, r, true).await?;
        }
        let counts = anonymise_routes(&txn, &ids).await?;
        txn.commit().await?;
        remove_files(files_dir, keys);
        add(counts);
    }

    // Diagnostic results, with the managers' counts recomputed for their campaigns.
    let old_results = diagnostic_result::Column::RegionId
        .eq(region)
        .and(diagnostic_result::Column::CreatedAt.lt(cut.results));
    let campaigns: Vec<Uuid> = diagnostic_result::Entity::find()
        .select_only()
        .column(diagnostic_result::Column::CampaignId)
        .distinct()
        .filter(old_results.clone())
        .into_tuple()
        .all(db)
        .await?;
    if !campaigns.is_empty() {
        let txn = db::begin_write(db).await?;
        let n = diagnostic_result::Entity::delete_many()
            .filter(old_results)
            .exec(&txn)
            .await?
            .rows_affected;
        for c in campaigns {
            crate::services::diagnostics::rollup::rebuild(&txn, c).await?;
        }
        txn.commit().await?;
        add(BTreeMap::from([("diagnostic_results".to_owned(), n)]));
    }

    // Records of reads and changes concerning the region's people.
    let people = Query::select()
        .column((user::Entity, user::Column::Id))
        .from(user::Entity)
        .inner_join(
            org_unit::Entity,
            Expr::col((org_unit::Entity, org_unit::Column::Id))
                .equals((user::Entity, user::Column::WorkplaceId)),
        )
        .and_where(Expr::col((org_unit::Entity, org_unit::Column::RegionId)).eq(region))
        .to_owned();
    let txn = db::begin_write(db).await?;
    let n = audit_log::Entity::delete_many()
        .filter(audit_log::Column::OccurredAt.lt(cut.audit))
        .filter(audit_log::Column::SubjectId.in_subquery(people))
        .exec(&txn)
        .await?
        .rows_affected;
    if n > 0 {
        add(BTreeMap::from([("audit_entries".to_owned(), n)]));
    }

    let t = db::now();
    let row = retention_run::ActiveModel {
        id: Set(db::new_id()),
        region_id: Set(region),
        trigger: Set(trigger.as_str().to_owned()),
        started_by: Set(started_by),
        policy: Set(serde_json::to_string(&policy_json(&policy)).map_err(anyhow::Error::from)?),
        outcome: Set(serde_json::to_string(&outcome).map_err(anyhow::Error::from)?),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    if let Some(by) = started_by {
        audit::record(
            &txn,
            Entry::by_user(
                by,
                "retention.run",
                "retention_run",
                row.id,
                serde_json::json!({ "outcome": outcome }),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    if !outcome.is_empty() {
        tracing::info!(%region, ?outcome, "retention run");
    }
    Ok(row)
}

/// The region's routes that ended before `cutoff` and still name their teacher: completed
/// ones by their completion, withdrawn ones by their last change.
fn ended_routes(region: Uuid, cutoff: DateTime<Utc>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(route::Column::Id)
        .from(route::Entity)
        .cond_where(
            Condition::all()
                .add(route::Column::RegionId.eq(region))
                .add(route::Column::TeacherId.ne(PLACEHOLDER))
                .add(
                    Condition::any()
                        .add(
                            route::Column::Status
                                .eq(RouteStatus::Completed.as_str())
                                .and(route::Column::CompletedAt.lt(cutoff)),
                        )
                        .add(
                            route::Column::Status
                                .eq(RouteStatus::Withdrawn.as_str())
                                .and(route::Column::UpdatedAt.lt(cutoff)),
                        ),
                ),
        )
        .to_owned()
}

fn remove_files(dir: &std::path::Path, keys: impl IntoIterator<Item = String>) {
    for key in keys {
        if let Err(e) = std::fs::remove_file(dir.join(&key))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, key, "removing an expired file");
        }
    }
}

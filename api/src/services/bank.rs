//! The region's bank of methodological products.
//!
//! A product enters the bank as a snapshot taken when its author publishes it: title, kind,
//! description, link, the deficits and competencies of its route and the expert's verdict. Its
//! files stay the route's files; the bank only lets its readers download them. Everyone
//! working in the region reads the bank; nobody outside it does (404). Publishing needs a
//! positive evaluation and the author's consent to publication; a «no» to that purpose later
//! takes every product of the author off the bank, and erasing the author or their route
//! removes the entries.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::UnitPath;
use shared::bank::{self as rules, BankStatus, EducationLevel, Publishability, Refusal};
use shared::consent::PurposeKind;
use shared::dto::catalogue::{RecommendInput, RecommendResult};
use shared::dto::{
    ActivityInput, AdoptInput, BankAuthor, BankFile, BankFilter, BankProductDto,
    BankProductSummary, BankRecommendation, BankVerdict, Page, ProductPublication,
    PublicationBlock, PublishInput, RouteDto, WithdrawInput,
};
use shared::events::EventKind;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::entities::{
    bank_product, bank_product_competency, bank_product_use, competency, product_recommendation,
    route_file, route_product,
};
use crate::db::{self, audit, units, users};
use crate::error::{AppError, AppResult};
use crate::services::events::{self as stream, Event};
use crate::services::route::create::{clean, to_json};
use crate::services::route::read::competency_ref;
use crate::services::route::{access, edit};
use crate::services::{catalogue, consents, diagnostics, page_bounds};
use crate::state::AppState;

/// The reason recorded when an author's «no» to publication takes their products off.
const CONSENT_WITHDRAWN: &str = "Автор отозвал согласие на публикацию";

fn block(r: Refusal) -> PublicationBlock {
    PublicationBlock {
        code: r.code().to_owned(),
        message: r.message_ru().to_owned(),
    }
}

fn refused(r: Refusal) -> AppError {
    AppError::conflict(r.code(), r.message_ru())
}

/// The bank's entries of `products`, by product id.
async fn entries_of(
    db: &impl ConnectionTrait,
    products: &[Uuid],
) -> AppResult<HashMap<Uuid, bank_product::Model>> {
    if products.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(bank_product::Entity::find()
        .filter(bank_product::Column::ProductId.is_in(products.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.product_id, b))
        .collect())
}

/// The products of a route and where each stands with the bank (for its author's screen).
pub async fn publication(
    state: &AppState,
    principal: &Principal,
    route_id: Uuid,
) -> AppResult<Vec<ProductPublication>> {
    let ctx = access::load(&state.db, principal, route_id, false).await?;
    let products = route_product::Entity::find()
        .filter(route_product::Column::RouteId.eq(route_id))
        .order_by_asc(route_product::Column::Position)
        .all(&state.db)
        .await?;
    let entries = entries_of(
        &state.db,
        &products.iter().map(|p| p.id).collect::<Vec<_>>(),
    )
    .await?;
    let consent = consents::agreed(
        &state.db,
        PurposeKind::Publication,
        ctx.route.region_id,
        ctx.route.teacher_id,
    )
    .await?;
    let verdict = diagnostics::route::expert_verdict(&ctx.route);
    let status = ctx.status();
    let subject = users::find(&state.db, ctx.route.teacher_id)
        .await?
        .and_then(|u| u.position);
    Ok(products
        .into_iter()
        .map(|p| {
            let entry = entries.get(&p.id);
            let published = entry.is_some_and(|e| e.status == BankStatus::Published.as_str());
            let check = rules::check(Publishability {
                status,
                verdict,
                consent_given: consent,
                published,
            });
            ProductPublication {
                product_id: p.id,
                title: p.title,
                bank_product_id: entry.map(|e| e.id),
                status: entry.and_then(|e| e.status.parse().ok()),
                blocked: check.err().map(block),
                suggested_subject: entry
                    .and_then(|e| e.subject.clone())
                    .or_else(|| subject.clone()),
            }
        })
        .collect())
}

/// The author publishes a product of their route into the region's bank.
pub async fn publish(
    state: &AppState,
    principal: &Principal,
    route_id: Uuid,
    product_id: Uuid,
    input: PublishInput,
) -> AppResult<BankProductDto> {
    input.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let ctx = access::load(&txn, principal, route_id, true).await?;
    let product = route_product::Entity::find_by_id(product_id)
        .filter(route_product::Column::RouteId.eq(route_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if ctx.route.teacher_id != principal.id() {
        return Err(AppError::forbidden(
            "Опубликовать продукт в банке может только его автор.",
        ));
    }
    let existing = entries_of(&txn, &[product_id]).await?.remove(&product_id);
    if let Some(e) = &existing
        && e.status == BankStatus::Withdrawn.as_str()
        && e.withdrawn_by != Some(e.author_id)
    {
        return Err(AppError::conflict(
            "product_withdrawn_by_moderator",
            "Продукт снят с публикации региональным центром, и опубликовать его снова нельзя.",
        ));
    }
    let consent = consents::agreed(
        &txn,
        PurposeKind::Publication,
        ctx.route.region_id,
        ctx.route.teacher_id,
    )
    .await?;
    rules::check(Publishability {
        status: ctx.status(),
        verdict: diagnostics::route::expert_verdict(&ctx.route),
        consent_given: consent,
        published: existing
            .as_ref()
            .is_some_and(|e| e.status == BankStatus::Published.as_str()),
    })
    .map_err(refused)?;

    let deficits: Vec<_> = db::routes::deficits(&txn, route_id)
        .await?
        .into_iter()
        .filter(|d| d.confirmed)
        .collect();
    let mut comps: Vec<Uuid> = deficits.iter().filter_map(|d| d.competency_id).collect();
    comps.sort_unstable();
    comps.dedup();
    let evaluation: serde_json::Value = ctx
        .route
        .evaluation
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    let verdict = serde_json::json!({
        "expert_id": evaluation["expert_id"],
        "at": evaluation["at"],
        "comment": evaluation["comment"],
        "positive": true,
    });
    let author = users::find(&txn, ctx.route.teacher_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let subject = clean(input.subject.clone());
    let sort_key = shared::text::sort_key(&[
        &product.title,
        product.description.as_deref().unwrap_or_default(),
        product.kind.as_deref().unwrap_or_default(),
        subject.as_deref().unwrap_or_default(),
        &author.surname,
        &author.first_name,
    ]);
    let t = db::now();
    let row = match existing {
        Some(e) => {
            // Back in the bank after the author took it off: the snapshot is taken afresh.
            let mut am = e.into_active_model();
            am.title = Set(product.title.clone());
            am.kind = Set(product.kind.clone());
            am.description = Set(product.description.clone());
            am.link = Set(product.link.clone());
            am.subject = Set(subject);
            am.education_level = Set(input.level.map(|l| l.as_str().to_owned()));
            am.deficits = Set(to_json(&titles(&deficits))?);
            am.verdict = Set(verdict.to_string());
            am.status = Set(BankStatus::Published.as_str().to_owned());
            am.published_by = Set(principal.id());
            am.published_at = Set(t);
            am.withdrawn_by = Set(None);
            am.withdrawn_at = Set(None);
            am.withdrawn_reason = Set(None);
            am.sort_key = Set(sort_key);
            am.updated_at = Set(t);
            am.update(&txn).await?
        }
        None => {
            bank_product::ActiveModel {
                id: Set(db::new_id()),
                region_id: Set(ctx.route.region_id),
                route_id: Set(route_id),
                product_id: Set(product_id),
                author_id: Set(ctx.route.teacher_id),
                school_id: Set(Some(ctx.route.school_id)),
                title: Set(product.title.clone()),
                kind: Set(product.kind.clone()),
                description: Set(product.description.clone()),
                link: Set(product.link.clone()),
                subject: Set(subject),
                education_level: Set(input.level.map(|l| l.as_str().to_owned())),
                deficits: Set(to_json(&titles(&deficits))?),
                verdict: Set(verdict.to_string()),
                status: Set(BankStatus::Published.as_str().to_owned()),
                published_by: Set(principal.id()),
                published_at: Set(t),
                withdrawn_by: Set(None),
                withdrawn_at: Set(None),
                withdrawn_reason: Set(None),
                views: Set(0),
                uses: Set(0),
                sort_key: Set(sort_key),
                created_at: Set(t),
                updated_at: Set(t),
            }
            .insert(&txn)
            .await?
        }
    };
    bank_product_competency::Entity::delete_many()
        .filter(bank_product_competency::Column::BankProductId.eq(row.id))
        .exec(&txn)
        .await?;
    if !comps.is_empty() {
        bank_product_competency::Entity::insert_many(comps.iter().map(|c| {
            bank_product_competency::ActiveModel {
                bank_product_id: Set(row.id),
                competency_id: Set(*c),
            }
        }))
        .exec(&txn)
        .await?;
    }
    stream::record(
        &txn,
        Event {
            kind: EventKind::ProductPublished,
            actor_id: Some(principal.id()),
            route_id: None,
            person_id: Some(row.author_id),
            unit_id: row.school_id,
            payload: serde_json::json!({ "bank_product_id": row.id, "title": row.title }),
        },
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "bank.publish",
            "bank_product",
            row.id,
            serde_json::json!({ "route_id": route_id, "product_id": product_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    full(&state.db, principal, row).await
}

fn titles(deficits: &[crate::db::entities::route_deficit::Model]) -> Vec<String> {
    deficits.iter().map(|d| d.title.clone()).collect()
}

/// The regions whose bank `filter` asks for: the one named (if the caller may read it), else
/// every region the caller works in.
fn regions(principal: &Principal, filter: &BankFilter) -> AppResult<Vec<Uuid>> {
    match filter.region_id {
        Some(r) if principal.actor.can_read_bank(r) => Ok(vec![r]),
        Some(_) => Err(AppError::NotFound),
        None => {
            let mut all: Vec<Uuid> = principal.actor.regions().collect();
            all.sort_unstable();
            all.dedup();
            Ok(all)
        }
    }
}

/// The bank of the caller's region, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: BankFilter,
) -> AppResult<Page<BankProductSummary>> {
    let (offset, limit) = page_bounds(filter.offset, filter.limit, 20, 100)?;
    let regions = regions(principal, &filter)?;
    if regions.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset,
            limit,
        });
    }
    let mut c = Condition::all().add(bank_product::Column::RegionId.is_in(regions));
    // Authors see their own withdrawn products; everyone else only what is published.
    if filter.author_id != Some(principal.id()) {
        c = c.add(bank_product::Column::Status.eq(BankStatus::Published.as_str()));
    }
    if let Some(a) = filter.author_id {
        c = c.add(bank_product::Column::AuthorId.eq(a));
    }
    if let Some(l) = filter.level {
        c = c.add(bank_product::Column::EducationLevel.eq(l.as_str()));
    }
    if let Some(comp) = filter.competency_id {
        c = c.add(
            bank_product::Column::Id.in_subquery(
                Query::select()
                    .column(bank_product_competency::Column::BankProductId)
                    .from(bank_product_competency::Entity)
                    .and_where(bank_product_competency::Column::CompetencyId.eq(comp))
                    .to_owned(),
            ),
        );
    }
    if filter.recommended == Some(true) {
        c = c.add(
            bank_product::Column::Id.in_subquery(
                Query::select()
                    .column(product_recommendation::Column::BankProductId)
                    .from(product_recommendation::Entity)
                    .and_where(product_recommendation::Column::TeacherId.eq(principal.id()))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", shared::text::sort_key(&[q]).replace(['%', '_'], ""));
        c = c.add(bank_product::Column::SortKey.like(pattern));
    }
    let query = bank_product::Entity::find().filter(c);
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(bank_product::Column::PublishedAt)
        .order_by_desc(bank_product::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok(Page {
        items: summaries(db, &rows).await?,
        total,
        offset,
        limit,
    })
}

/// Summaries of `rows`, with their authors, schools and competencies, in a few queries.
async fn summaries(
    db: &impl ConnectionTrait,
    rows: &[bank_product::Model],
) -> AppResult<Vec<BankProductSummary>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let authors: HashMap<Uuid, String> =
        users::full_names(db, &rows.iter().map(|r| r.author_id).collect::<Vec<_>>()).await?;
    let schools: HashMap<Uuid, String> = units::find_many(
        db,
        &rows.iter().filter_map(|r| r.school_id).collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .map(|u| (u.id, u.name))
    .collect();
    let links = if ids.is_empty() {
        Vec::new()
    } else {
        bank_product_competency::Entity::find()
            .filter(bank_product_competency::Column::BankProductId.is_in(ids.clone()))
            .all(db)
            .await?
    };
    let comps: HashMap<Uuid, competency::Model> = if links.is_empty() {
        HashMap::new()
    } else {
        competency::Entity::find()
            .filter(
                competency::Column::Id.is_in(
                    links
                        .iter()
                        .map(|l| l.competency_id)
                        .collect::<HashSet<_>>(),
                ),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    rows.iter()
        .map(|r| {
            let mut competencies: Vec<_> = links
                .iter()
                .filter(|l| l.bank_product_id == r.id)
                .filter_map(|l| comps.get(&l.competency_id).map(competency_ref))
                .collect();
            competencies.sort_by(|a, b| a.code.cmp(&b.code));
            Ok(BankProductSummary {
                id: r.id,
                title: r.title.clone(),
                kind: r.kind.clone(),
                subject: r.subject.clone(),
                level: r
                    .education_level
                    .as_deref()
                    .map(db::parse_code::<EducationLevel>)
                    .transpose()?,
                author: BankAuthor {
                    id: r.author_id,
                    full_name: authors
                        .get(&r.author_id)
                        .cloned()
                        .unwrap_or_else(|| "—".to_owned()),
                    school: r.school_id.and_then(|s| schools.get(&s).cloned()),
                },
                competencies,
                status: db::parse_code(&r.status)?,
                published_at: r.published_at,
                views: r.views,
                uses: r.uses,
            })
        })
        .collect()
}

/// An entry the caller may read: published in a region they work in; a withdrawn one only for
/// its author and the region's moderators. Anything else is 404.
async fn readable(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<bank_product::Model> {
    let row = bank_product::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !principal.actor.can_read_bank(row.region_id) {
        return Err(AppError::NotFound);
    }
    if row.status != BankStatus::Published.as_str()
        && row.author_id != principal.id()
        && !principal.actor.can_moderate_bank(row.region_id)
    {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// One product of the bank. A colleague's opening counts as a view and answers the
/// recommendations made to them.
pub async fn get(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<BankProductDto> {
    let mut row = readable(&state.db, principal, id).await?;
    if row.author_id != principal.id() && row.status == BankStatus::Published.as_str() {
        bank_product::Entity::update_many()
            .col_expr(
                bank_product::Column::Views,
                Expr::col(bank_product::Column::Views).add(1),
            )
            .filter(bank_product::Column::Id.eq(id))
            .exec(&state.db)
            .await?;
        row.views += 1;
        product_recommendation::Entity::update_many()
            .col_expr(
                product_recommendation::Column::SeenAt,
                Expr::value(Some(db::now())),
            )
            .filter(product_recommendation::Column::BankProductId.eq(id))
            .filter(product_recommendation::Column::TeacherId.eq(principal.id()))
            .filter(product_recommendation::Column::SeenAt.is_null())
            .exec(&state.db)
            .await?;
    }
    full(&state.db, principal, row).await
}

/// Whether the caller plays a part that recommends (a tutor, a methodist, a manager).
fn recommends(principal: &Principal) -> bool {
    principal.actor.grants.iter().any(|g| {
        matches!(g.role, shared::Role::Tutor | shared::Role::Methodist) || g.role.manages_unit()
    })
}

async fn full(
    db: &impl ConnectionTrait,
    principal: &Principal,
    row: bank_product::Model,
) -> AppResult<BankProductDto> {
    let summary = summaries(db, std::slice::from_ref(&row))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let files = route_file::Entity::find()
        .filter(route_file::Column::ProductId.eq(row.product_id))
        .order_by_asc(route_file::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|f| BankFile {
            url: format!("/api/v1/files/{}", f.id),
            id: f.id,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
        })
        .collect();
    let verdict: serde_json::Value = serde_json::from_str(&row.verdict).unwrap_or_default();
    let expert = match verdict["expert_id"]
        .as_str()
        .and_then(|s| s.parse::<Uuid>().ok())
    {
        Some(e) => users::full_names(db, &[e]).await?.remove(&e),
        None => None,
    };
    let recs = product_recommendation::Entity::find()
        .filter(product_recommendation::Column::BankProductId.eq(row.id))
        .filter(product_recommendation::Column::TeacherId.eq(principal.id()))
        .order_by_asc(product_recommendation::Column::CreatedAt)
        .all(db)
        .await?;
    let by = users::full_names(
        db,
        &recs.iter().map(|r| r.recommended_by).collect::<Vec<_>>(),
    )
    .await?;
    let route = db::routes::find(db, row.route_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(BankProductDto {
        summary,
        description: row.description.clone(),
        link: row.link.clone(),
        files,
        deficits: serde_json::from_str(&row.deficits).unwrap_or_default(),
        verdict: BankVerdict {
            expert,
            evaluated_at: verdict["at"].as_str().and_then(|s| s.parse().ok()),
            positive: verdict["positive"].as_bool().unwrap_or(false),
            comment: verdict["comment"].as_str().map(str::to_owned),
        },
        route_title: route.title,
        route_start: route.period_start,
        route_end: route.period_end,
        withdrawn_at: row.withdrawn_at,
        withdrawn_reason: row.withdrawn_reason.clone(),
        recommended_to_me: recs
            .iter()
            .map(|r| BankRecommendation {
                by: by
                    .get(&r.recommended_by)
                    .cloned()
                    .unwrap_or_else(|| "—".to_owned()),
                note: r.note.clone(),
                at: r.created_at,
            })
            .collect(),
        can_withdraw: row.status == BankStatus::Published.as_str()
            && (row.author_id == principal.id()
                || principal.actor.can_moderate_bank(row.region_id)),
        can_recommend: row.status == BankStatus::Published.as_str() && recommends(principal),
    })
}

/// The author or the region's manager takes a product off the bank.
pub async fn withdraw(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    input: WithdrawInput,
) -> AppResult<BankProductDto> {
    input.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let row = readable(&txn, principal, id).await?;
    if row.author_id != principal.id() && !principal.actor.can_moderate_bank(row.region_id) {
        return Err(AppError::forbidden(
            "Снять продукт с публикации может его автор или региональный центр.",
        ));
    }
    if row.status != BankStatus::Published.as_str() {
        return Err(AppError::conflict(
            "product_withdrawn",
            "Продукт уже снят с публикации.",
        ));
    }
    let reason = clean(input.reason);
    let row = take_off(&txn, row, principal.id(), reason).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "bank.withdraw",
            "bank_product",
            row.id,
            serde_json::json!({ "reason": row.withdrawn_reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    full(&state.db, principal, row).await
}

/// Marks an entry withdrawn by `by` and records the fact (the author is told when it was not
/// them).
async fn take_off(
    db: &impl ConnectionTrait,
    row: bank_product::Model,
    by: Uuid,
    reason: Option<String>,
) -> AppResult<bank_product::Model> {
    let t = db::now();
    let mut am = row.into_active_model();
    am.status = Set(BankStatus::Withdrawn.as_str().to_owned());
    am.withdrawn_by = Set(Some(by));
    am.withdrawn_at = Set(Some(t));
    am.withdrawn_reason = Set(reason);
    am.updated_at = Set(t);
    let row = am.update(db).await?;
    stream::record(
        db,
        Event {
            kind: EventKind::ProductWithdrawn,
            actor_id: Some(by),
            route_id: None,
            person_id: Some(row.author_id),
            unit_id: row.school_id,
            payload: serde_json::json!({
                "bank_product_id": row.id,
                "title": row.title,
                "reason": row.withdrawn_reason,
            }),
        },
    )
    .await?;
    Ok(row)
}

/// A person's «no» to publication: every product of theirs leaves the bank, in the same
/// transaction as the decision.
pub async fn withdraw_all_of(db: &impl ConnectionTrait, person: Uuid) -> AppResult<u64> {
    let rows = bank_product::Entity::find()
        .filter(bank_product::Column::AuthorId.eq(person))
        .filter(bank_product::Column::Status.eq(BankStatus::Published.as_str()))
        .all(db)
        .await?;
    let n = rows.len() as u64;
    for row in rows {
        take_off(db, row, person, Some(CONSENT_WITHDRAWN.to_owned())).await?;
    }
    Ok(n)
}

/// Erasure and retention: the entries of routes taken out of the platform go, with their
/// recommendations and uses; what other routes took from them stays in those roadmaps.
pub async fn remove_of_routes(db: &impl ConnectionTrait, routes: &[Uuid]) -> AppResult<u64> {
    if routes.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = bank_product::Entity::find()
        .filter(bank_product::Column::RouteId.is_in(routes.iter().copied()))
        .select_only()
        .column(bank_product::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    bank_product_competency::Entity::delete_many()
        .filter(bank_product_competency::Column::BankProductId.is_in(ids.clone()))
        .exec(db)
        .await?;
    product_recommendation::Entity::delete_many()
        .filter(product_recommendation::Column::BankProductId.is_in(ids.clone()))
        .exec(db)
        .await?;
    bank_product_use::Entity::delete_many()
        .filter(bank_product_use::Column::BankProductId.is_in(ids.clone()))
        .exec(db)
        .await?;
    Ok(bank_product::Entity::delete_many()
        .filter(bank_product::Column::Id.is_in(ids))
        .exec(db)
        .await?
        .rows_affected)
}

/// A tutor, methodist or manager recommends a product to teachers they may recommend to.
pub async fn recommend(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: RecommendInput,
) -> AppResult<RecommendResult> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let row = readable(&txn, principal, id).await?;
    if !recommends(principal) {
        return Err(AppError::forbidden(
            "Рекомендовать продукты могут тьюторы, наставники и руководители.",
        ));
    }
    if row.status != BankStatus::Published.as_str() {
        return Err(AppError::conflict(
            "product_withdrawn",
            "Продукт снят с публикации.",
        ));
    }
    let note = clean(req.note.clone());
    let me = &principal.user;
    let by = shared::text::short_name(&me.surname, &me.first_name, me.patronymic.as_deref());
    let mut seen: Vec<Uuid> = Vec::new();
    for t in &req.teacher_ids {
        if seen.contains(t) {
            continue;
        }
        let (teacher, place) = match catalogue::recommend::teacher(&txn, principal, *t, true).await
        {
            Ok(x) => x,
            Err(AppError::NotFound) => {
                return Err(AppError::invalid("teacher_ids", "Педагог не найден."));
            }
            Err(e) => return Err(e),
        };
        if place.is_none_or(|p: UnitPath| p.region != row.region_id) {
            return Err(AppError::invalid(
                "teacher_ids",
                "Продукт опубликован в банке другого региона.",
            ));
        }
        if teacher.id == row.author_id {
            return Err(AppError::invalid(
                "teacher_ids",
                "Автору не нужно рекомендовать его собственный продукт.",
            ));
        }
        seen.push(*t);
        let t_now = db::now();
        product_recommendation::Entity::insert(product_recommendation::ActiveModel {
            id: Set(db::new_id()),
            bank_product_id: Set(id),
            teacher_id: Set(*t),
            recommended_by: Set(principal.id()),
            note: Set(note.clone()),
            seen_at: Set(None),
            created_at: Set(t_now),
            updated_at: Set(t_now),
        })
        .on_conflict(
            OnConflict::columns([
                product_recommendation::Column::BankProductId,
                product_recommendation::Column::TeacherId,
                product_recommendation::Column::RecommendedBy,
            ])
            .update_columns([
                product_recommendation::Column::Note,
                product_recommendation::Column::SeenAt,
                product_recommendation::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        stream::record(
            &txn,
            Event {
                kind: EventKind::ProductRecommended,
                actor_id: Some(principal.id()),
                route_id: None,
                person_id: Some(*t),
                unit_id: teacher.workplace_id,
                payload: serde_json::json!({
                    "bank_product_id": id,
                    "title": row.title,
                    "note": note,
                    "by": by,
                }),
            },
        )
        .await?;
    }
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "bank.recommend",
            "bank_product",
            id,
            serde_json::json!({ "teachers": seen }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(RecommendResult {
        recommended: seen.len() as u64,
    })
}

/// Takes a product into a route's roadmap as «изучить опыт коллеги»: the competencies it
/// addresses and the route's deficits in them are filled in. Counted once per route.
pub async fn adopt(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: AdoptInput,
) -> AppResult<RouteDto> {
    let row = readable(&state.db, principal, id).await?;
    if row.status != BankStatus::Published.as_str() {
        return Err(AppError::conflict(
            "product_withdrawn",
            "Продукт снят с публикации.",
        ));
    }
    let ctx = match access::load(&state.db, principal, req.route_id, false).await {
        Err(AppError::NotFound) => return Err(AppError::invalid("route_id", "Маршрут не найден.")),
        other => other?,
    };
    if ctx.route.id == row.route_id {
        return Err(AppError::invalid(
            "route_id",
            "Это продукт самого маршрута.",
        ));
    }
    let used = bank_product_use::Entity::find_by_id((id, req.route_id))
        .one(&state.db)
        .await?;
    if used.is_some() {
        return Err(AppError::conflict(
            "product_in_roadmap",
            "Этот продукт уже есть в дорожной карте маршрута.",
        ));
    }
    let comps: Vec<Uuid> = bank_product_competency::Entity::find()
        .filter(bank_product_competency::Column::BankProductId.eq(id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|l| l.competency_id)
        .collect();
    let in_framework: Vec<Uuid> = match ctx.route.framework_id {
        Some(fw) if !comps.is_empty() => competency::Entity::find()
            .filter(competency::Column::Id.is_in(comps.clone()))
            .filter(competency::Column::FrameworkId.eq(fw))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect(),
        _ => Vec::new(),
    };
    let deficits: Vec<Uuid> = db::routes::deficits(&state.db, ctx.route.id)
        .await?
        .into_iter()
        .filter(|d| d.competency_id.is_some_and(|c| comps.contains(&c)))
        .map(|d| d.id)
        .collect();
    let author = users::find(&state.db, row.author_id)
        .await?
        .map(|u| shared::text::short_name(&u.surname, &u.first_name, u.patronymic.as_deref()))
        .unwrap_or_else(|| "—".to_owned());
    let name = rules::activity_name(&row.title, &author);
    let input = ActivityInput {
        version: None,
        name: name.clone(),
        competency_ids: in_framework,
        deficit_ids: deficits,
        level: None,
        start_date: None,
        end_date: None,
        participation_form: Some(rules::ACTIVITY_FORM.to_owned()),
        result: Some(rules::ACTIVITY_RESULT.to_owned()),
        status: None,
        reflection: None,
        hours: None,
        event_id: None,
    };
    let dto = edit::add_activity(state, principal, req.route_id, input).await?;
    if let Some(activity) = dto
        .activity
        .activities
        .iter()
        .rev()
        .find(|a| a.name == name)
    {
        let inserted = bank_product_use::Entity::insert(bank_product_use::ActiveModel {
            bank_product_id: Set(id),
            route_id: Set(req.route_id),
            activity_id: Set(activity.id),
            created_at: Set(db::now()),
        })
        .on_conflict(
            OnConflict::columns([
                bank_product_use::Column::BankProductId,
                bank_product_use::Column::RouteId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&state.db)
        .await?;
        if inserted > 0 {
            bank_product::Entity::update_many()
                .col_expr(
                    bank_product::Column::Uses,
                    Expr::col(bank_product::Column::Uses).add(1),
                )
                .filter(bank_product::Column::Id.eq(id))
                .exec(&state.db)
                .await?;
        }
    }
    Ok(dto)
}

/// Whether a route file may be downloaded as a file of a product published in a bank the
/// caller reads (for those who may not read the route itself).
pub async fn file_readable(
    db: &impl ConnectionTrait,
    principal: &Principal,
    file: &route_file::Model,
) -> AppResult<bool> {
    let Some(product) = file.product_id else {
        return Ok(false);
    };
    Ok(bank_product::Entity::find()
        .filter(bank_product::Column::ProductId.eq(product))
        .filter(bank_product::Column::Status.eq(BankStatus::Published.as_str()))
        .one(db)
        .await?
        .is_some_and(|b| principal.actor.can_read_bank(b.region_id)))
}

/// The recommendations a teacher has not opened yet, for «Что сделать».
pub async fn unseen_recommendations(
    db: &impl ConnectionTrait,
    teacher: Uuid,
) -> AppResult<Vec<(bank_product::Model, product_recommendation::Model)>> {
    let recs = product_recommendation::Entity::find()
        .filter(product_recommendation::Column::TeacherId.eq(teacher))
        .filter(product_recommendation::Column::SeenAt.is_null())
        .order_by_asc(product_recommendation::Column::CreatedAt)
        .all(db)
        .await?;
    if recs.is_empty() {
        return Ok(Vec::new());
    }
    let products: HashMap<Uuid, bank_product::Model> = bank_product::Entity::find()
        .filter(
            bank_product::Column::Id.is_in(
                recs.iter()
                    .map(|r| r.bank_product_id)
                    .collect::<HashSet<_>>(),
            ),
        )
        .filter(bank_product::Column::Status.eq(BankStatus::Published.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut out: Vec<(bank_product::Model, product_recommendation::Model)> = Vec::new();
    for r in recs {
        // One task per product, however many recommended it.
        if out.iter().any(|(p, _)| p.id == r.bank_product_id) {
            continue;
        }
        if let Some(p) = products.get(&r.bank_product_id) {
            out.push((p.clone(), r));
        }
    }
    Ok(out)
}

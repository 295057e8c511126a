//! The counts the managers' view reads (`diagnostic_counts`, `diagnostic_assessed`), kept
//! exactly equal to a GROUP BY over the results.
//!
//! Whoever writes results collects the places they touched (where each person's results were
//! before and where they are now) in a [`Touched`] and calls [`recompute`] once for the batch,
//! inside the same transaction: the affected places' counts are deleted and counted again from
//! the results with one `INSERT … SELECT … GROUP BY` per chunk of places. A result keeps the
//! place copied in when it was written, so a teacher who moves school stays counted in the old
//! school until their results are entered again; then both schools are re-counted.
//!
//! Doing it in the writing transaction rather than in a background job keeps the view exact
//! (no window where the summary disagrees with the results, nothing to retry) and costs one
//! grouped query per hundreds of schools — less than writing the results themselves.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, IntoColumnRef, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};
use shared::diagnostics::DeficitRule;
use shared::{UnitKind, UnitPath};
use uuid::Uuid;

use super::{deficit_condition, load_framework};
use crate::db::entities::{
    diagnostic_assessed, diagnostic_campaign, diagnostic_count, diagnostic_result,
};
use crate::error::AppResult;

/// Places (by their deepest unit) whose counts must be computed again.
#[derive(Debug, Default, Clone)]
#[must_use = "the touched places must be re-counted with `rollup::recompute`"]
pub struct Touched {
    places: BTreeMap<Uuid, UnitPath>,
}

impl Touched {
    pub fn add(&mut self, place: &UnitPath) {
        self.places.insert(place.leaf(), *place);
    }

    pub fn extend(&mut self, other: Touched) {
        self.places.extend(other.places);
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// How many places are re-counted by one statement (keeps the bound parameters few).
const CHUNK: usize = 500;

/// The place a result was copied with, as a path.
fn path_of(
    region: Uuid,
    district: Option<Uuid>,
    municipality: Option<Uuid>,
    school: Option<Uuid>,
) -> UnitPath {
    UnitPath {
        region,
        district,
        municipality,
        school,
    }
}

/// A result's copied place: region, district, municipality, school.
type Place = (Uuid, Option<Uuid>, Option<Uuid>, Option<Uuid>);

/// Where these people's results in a campaign are now, in one query (an import's batch).
pub async fn places_of_many(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    people: &[Uuid],
) -> AppResult<Touched> {
    use diagnostic_result::Column as R;
    let rows: Vec<Place> = diagnostic_result::Entity::find()
        .select_only()
        .columns([R::RegionId, R::DistrictId, R::MunicipalityId, R::SchoolId])
        .distinct()
        .filter(R::CampaignId.eq(campaign))
        .filter(R::PersonId.is_in(people.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut t = Touched::default();
    for (r, d, m, s) in rows {
        t.add(&path_of(r, d, m, s));
    }
    Ok(t)
}

/// Results whose place is exactly one of `places` (all of the same depth).
fn results_at(kind: UnitKind, places: &[&UnitPath]) -> Condition {
    use diagnostic_result::Column as R;
    match kind {
        // The common case, one indexed IN list.
        UnitKind::School => {
            Condition::all().add(R::SchoolId.is_in(places.iter().filter_map(|p| p.school)))
        }
        _ => {
            let mut any = Condition::any();
            for p in places {
                let eq_or_null = |c: R, v: Option<Uuid>| match v {
                    Some(v) => c.eq(v),
                    None => c.is_null(),
                };
                any = any.add(
                    Condition::all()
                        .add(R::RegionId.eq(p.region))
                        .add(eq_or_null(R::DistrictId, p.district))
                        .add(eq_or_null(R::MunicipalityId, p.municipality))
                        .add(R::SchoolId.is_null()),
                );
            }
            any
        }
    }
}

/// The deepest unit of a result's place, in SQL.
fn place_expr() -> Expr {
    use diagnostic_result::Column as R;
    Func::coalesce([
        Expr::col(R::SchoolId),
        Expr::col(R::MunicipalityId),
        Expr::col(R::DistrictId),
        Expr::col(R::RegionId),
    ])
    .into()
}

/// The counts of `diagnostic_counts` for the results under `cond`.
fn counts_select(campaign: Uuid, rule: &DeficitRule, cond: Condition) -> SelectStatement {
    use diagnostic_result::Column as R;
    let deficit = Expr::case(deficit_condition(rule), 1).finally(0);
    diagnostic_result::Entity::find()
        .select_only()
        .column(R::CampaignId)
        .expr(place_expr())
        .columns([
            R::RegionId,
            R::DistrictId,
            R::MunicipalityId,
            R::SchoolId,
            R::CompetencyId,
            R::Level,
        ])
        .expr(Expr::col(Asterisk).count())
        .expr(Expr::expr(deficit).sum())
        .filter(R::CampaignId.eq(campaign))
        .filter(cond)
        .group_by(R::CampaignId)
        .group_by(R::RegionId)
        .group_by(R::DistrictId)
        .group_by(R::MunicipalityId)
        .group_by(R::SchoolId)
        .group_by(R::CompetencyId)
        .group_by(R::Level)
        .into_query()
}

/// The counts of `diagnostic_assessed` for the results under `cond`.
fn assessed_select(campaign: Uuid, cond: Condition) -> SelectStatement {
    use diagnostic_result::Column as R;
    diagnostic_result::Entity::find()
        .select_only()
        .column(R::CampaignId)
        .expr(place_expr())
        .columns([R::RegionId, R::DistrictId, R::MunicipalityId, R::SchoolId])
        .expr(Expr::col(R::PersonId).count_distinct())
        .filter(R::CampaignId.eq(campaign))
        .filter(cond)
        .group_by(R::CampaignId)
        .group_by(R::RegionId)
        .group_by(R::DistrictId)
        .group_by(R::MunicipalityId)
        .group_by(R::SchoolId)
        .into_query()
}

/// Deletes the counts of some places (`None`: all of the campaign) and counts their results
/// again.
async fn count_again(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    rule: &DeficitRule,
    places: Option<&[Uuid]>,
    cond: Condition,
) -> AppResult<()> {
    use diagnostic_assessed::Column as A;
    use diagnostic_count::Column as C;
    let mut del_counts = diagnostic_count::Entity::delete_many().filter(C::CampaignId.eq(campaign));
    let mut del_assessed =
        diagnostic_assessed::Entity::delete_many().filter(A::CampaignId.eq(campaign));
    if let Some(ids) = places {
        del_counts = del_counts.filter(C::PlaceId.is_in(ids.iter().copied()));
        del_assessed = del_assessed.filter(A::PlaceId.is_in(ids.iter().copied()));
    }
    del_counts.exec(db).await?;
    del_assessed.exec(db).await?;

    let insert_counts = Query::insert()
        .into_table(diagnostic_count::Entity)
        .columns([
            C::CampaignId,
            C::PlaceId,
            C::RegionId,
            C::DistrictId,
            C::MunicipalityId,
            C::SchoolId,
            C::CompetencyId,
            C::Level,
            C::Results,
            C::Deficits,
        ])
        .select_from(counts_select(campaign, rule, cond.clone()))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_owned();
    db.execute(&insert_counts).await?;
    let insert_assessed = Query::insert()
        .into_table(diagnostic_assessed::Entity)
        .columns([
            A::CampaignId,
            A::PlaceId,
            A::RegionId,
            A::DistrictId,
            A::MunicipalityId,
            A::SchoolId,
            A::People,
        ])
        .select_from(assessed_select(campaign, cond))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_owned();
    db.execute(&insert_assessed).await?;
    Ok(())
}

/// Counts the touched places of a campaign again from its results.
pub async fn recompute(
    db: &impl ConnectionTrait,
    campaign: Uuid,
    rule: &DeficitRule,
    touched: Touched,
) -> AppResult<()> {
    let places: Vec<&UnitPath> = touched.places.values().collect();
    for kind in [
        UnitKind::School,
        UnitKind::Municipality,
        UnitKind::District,
        UnitKind::Region,
    ] {
        let of_kind: Vec<&UnitPath> = places
            .iter()
            .copied()
            .filter(|p| p.kind() == kind)
            .collect();
        for chunk in of_kind.chunks(CHUNK) {
            let ids: Vec<Uuid> = chunk.iter().map(|p| p.leaf()).collect();
            count_again(db, campaign, rule, Some(&ids), results_at(kind, chunk)).await?;
        }
    }
    Ok(())
}

/// Counts a whole campaign again (after bulk loading, or for campaigns older than the counts).
pub async fn rebuild(db: &impl ConnectionTrait, campaign: Uuid) -> AppResult<()> {
    let framework = diagnostic_campaign::Entity::find_by_id(campaign)
        .select_only()
        .column(diagnostic_campaign::Column::FrameworkId)
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let fw = load_framework(db, framework).await?;
    count_again(db, campaign, &fw.rule, None, Condition::all()).await
}

/// Counts every campaign that has results but no counts yet (those written before the counts
/// existed); run at start-up, a no-op afterwards.
pub async fn rebuild_missing(db: &impl ConnectionTrait) -> AppResult<usize> {
    use diagnostic_campaign::Column as K;
    // Whether a table has a row of the campaign.
    fn any_of<T: sea_orm::sea_query::IntoTableRef + Clone + 'static>(
        table: T,
        campaign: sea_orm::sea_query::ColumnRef,
    ) -> Expr {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(table)
                .and_where(Expr::col(campaign).equals((diagnostic_campaign::Entity, K::Id)))
                .to_owned(),
        )
    }
    let has_results = any_of(
        diagnostic_result::Entity,
        (
            diagnostic_result::Entity,
            diagnostic_result::Column::CampaignId,
        )
            .into_column_ref(),
    );
    let has_counts = any_of(
        diagnostic_assessed::Entity,
        (
            diagnostic_assessed::Entity,
            diagnostic_assessed::Column::CampaignId,
        )
            .into_column_ref(),
    );
    let ids: Vec<Uuid> = diagnostic_campaign::Entity::find()
        .select_only()
        .column(K::Id)
        .filter(has_results)
        .filter(has_counts.not())
        .into_tuple()
        .all(db)
        .await?;
    for id in &ids {
        rebuild(db, *id).await?;
    }
    Ok(ids.len())
}

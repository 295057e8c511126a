//! Per-client rate limits in fixed one-minute windows, counted in the database so that every
//! instance behind the balancer shares them.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::db::entities::rate_window;

/// Where a caller stands in the current window, for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: i32,
    pub remaining: i32,
    /// Seconds until the window resets.
    pub reset: i64,
    pub allowed: bool,
}

/// The start of the one-minute window containing `now`.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(now.timestamp() - now.timestamp().rem_euclid(60), 0).unwrap_or(now)
}

/// Counts one request for `key` and says whether it is within `limit`.
pub async fn hit(
    db: &impl ConnectionTrait,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<RateInfo, DbErr> {
    let start = window_start(now);
    // One statement: start the window, or count in it, or start a new one after it passed.
    rate_window::Entity::insert(rate_window::ActiveModel {
        key: Set(key.to_owned()),
        window_start: Set(start),
        count: Set(1),
    })
    .on_conflict(
        OnConflict::column(rate_window::Column::Key)
            .value(
                rate_window::Column::Count,
                Expr::case(
                    Expr::col((rate_window::Entity, rate_window::Column::WindowStart)).eq(start),
                    Expr::col((rate_window::Entity, rate_window::Column::Count)).add(1),
                )
                .finally(1),
            )
            .value(rate_window::Column::WindowStart, Expr::value(start))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let count = rate_window::Entity::find()
        .filter(rate_window::Column::Key.eq(key))
        .one(db)
        .await?
        .map_or(1, |w| w.count);
    let reset = std::cmp::max((start + Duration::minutes(1) - now).num_seconds(), 1);
    Ok(RateInfo {
        limit,
        remaining: std::cmp::max(limit - count, 0),
        reset,
        allowed: count <= limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_the_minute() {
        let t = DateTime::from_timestamp(1_800_000_125, 0).unwrap();
        assert_eq!(window_start(t).timestamp(), 1_800_000_120);
    }
}

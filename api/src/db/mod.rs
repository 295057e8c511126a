//! Persistence: connecting, migrating, and small query functions over `ConnectionTrait`, so
//! each runs on the pool or inside a caller's transaction alike.

pub mod assignments;
pub mod audit;
pub mod catalogue;
pub mod entities;
pub mod grants;
pub mod jobs;
pub mod one_time;
pub mod policies;
pub mod routes;
pub mod settings;
pub mod throttle;
pub mod tokens;
pub mod units;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use migrations::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use crate::config::Settings;

/// How many SQL statements a pool has run, for tests that keep hot paths from growing queries.
#[derive(Clone, Default, Debug)]
pub struct StatementCount(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl StatementCount {
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Opens the pool (counting its statements into `count`) and brings the schema up to date.
pub async fn connect(
    settings: &Settings,
    count: &StatementCount,
) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if settings.is_sqlite() {
        if let Some(path) = sqlite_path(&settings.database_url)
            && let Some(dir) = std::path::Path::new(&path).parent()
        {
            std::fs::create_dir_all(dir)?;
        }
        opts.max_connections(settings.db_max_connections.unwrap_or(4))
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
    } else {
        opts.max_connections(settings.db_max_connections.unwrap_or(10));
    }
    let mut db = Database::connect(opts).await?;
    let counter = count.0.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    migrations::Migrator::up(&db, None).await?;
    Ok(db)
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.to_owned())
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once, so two
/// writers queue on the busy timeout instead of failing when one upgrades a read lock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Now, at the precision both databases store (microseconds), so values round-trip exactly.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A new primary key: UUIDv7, time-ordered so inserts stay local in indexes.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Whether the database answers.
pub async fn ping(db: &impl ConnectionTrait) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// Parses a code stored in the database into its domain enum; a bad code is a bug, not input.
pub fn parse_code<T>(value: &str) -> anyhow::Result<T>
where
    T: std::str::FromStr<Err = shared::UnknownCode>,
{
    value.parse().map_err(anyhow::Error::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/iom.db?mode=rwc").as_deref(),
            Some("data/iom.db")
        );
        assert_eq!(
            sqlite_path("sqlite:/tmp/x.db").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}

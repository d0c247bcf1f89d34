//! Connecting to SQLite or PostgreSQL, and write transactions that never see
//! "database is locked".
//!
//! SQLite allows one writer at a time. Every write transaction here takes an
//! in-process lock first and then begins `IMMEDIATE`, so a transaction that reads
//! before it writes can never fail to upgrade its lock; `busy_timeout` covers other
//! processes (the CLI). Readers are not blocked (WAL). PostgreSQL needs neither.

use crate::error::{AppError, AppResult};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database handle used by services.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
    statements: Arc<AtomicU64>,
}

/// A write transaction; on SQLite it holds the single-writer lock until dropped.
pub struct WriteTxn {
    // Field order matters: the transaction ends before the lock is released.
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits; the writer lock is released afterwards.
    pub async fn commit(self) -> AppResult<()> {
        self.txn.commit().await.map_err(AppError::from)
    }
}

/// A lock from [`Db::exclusive`]; give it back with [`Exclusive::release`]. Dropped
/// without, its connection is closed, which ends the lock with the session.
pub struct Exclusive {
    held: Option<(
        sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Postgres>,
        i32,
    )>,
}

impl Exclusive {
    /// Releases the lock (and returns its connection to the pool).
    pub async fn release(mut self) {
        if let Some((mut conn, key)) = self.held.take() {
            let unlocked =
                sea_orm::sqlx::query("SELECT pg_advisory_unlock(hashtext(current_schema()), $1)")
                    .bind(key)
                    .execute(&mut *conn)
                    .await;
            if unlocked.is_err() {
                conn.close_on_drop();
            }
        }
    }
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        if let Some((mut conn, _)) = self.held.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                conn.close_on_drop();
            } else {
                // No runtime left to close it on (the process is ending): the
                // session, and its lock, end with the process.
                std::mem::forget(conn);
            }
        }
    }
}

impl Db {
    /// Connects with settings suited to each backend. `schema` (PostgreSQL only)
    /// sets the search path, which tests use for isolation.
    pub async fn connect(url: &str, pool_size: u32, schema: Option<&str>) -> Result<Self, DbErr> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(pool_size.max(1))
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        // Names the connections in `pg_stat_activity` (PostgreSQL only); a test's
        // connections carry its schema, so the test can end them when it ends.
        opts.set_application_name(match schema {
            Some(s) => format!("sanal/{s}"),
            None => "sanal".to_owned(),
        });
        if let Some(s) = schema {
            opts.set_schema_search_path(s.to_owned());
        }
        if url.starts_with("postgres") {
            // A pooled connection is pinged before use only when it has been idle a
            // while: a ping is a round trip on every statement otherwise (a report
            // is four). A connection that broke while busy fails its next statement
            // (`SERVICE_UNAVAILABLE`) and is dropped, as tests/faults.rs checks.
            opts.test_before_acquire_if_idle_for(Duration::from_secs(10));
        }
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true)
                // Deleted and overwritten values are zeroed, not left in free pages
                // (what the invitation purge clears must not stay readable).
                .pragma("secure_delete", "ON")
                .create_if_missing(true)
        });
        let mut conn = Database::connect(opts).await?;
        let write_lock = match conn.get_database_backend() {
            DbBackend::Sqlite => Some(Arc::new(Mutex::new(()))),
            _ => None,
        };
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            crate::telemetry::metrics::db_statement(info.elapsed, info.failed);
        });
        Ok(Self {
            conn,
            write_lock,
            statements,
        })
    }

    /// Statements run so far through this handle (tests check that a page of
    /// results costs a constant number, not one per item).
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The connection pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Connections open in the pool and how many of them are idle.
    pub fn pool_usage(&self) -> (u32, u32) {
        // The pool getters panic on the other backend: ask the backend first.
        let (size, idle) = match self.backend() {
            DbBackend::Sqlite => {
                let p = self.conn.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            DbBackend::Postgres => {
                let p = self.conn.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
            _ => (0, 0),
        };
        (size, u32::try_from(idle).unwrap_or(u32::MAX).min(size))
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Begins a write transaction (single writer on SQLite).
    pub async fn begin_write(&self) -> AppResult<WriteTxn> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self
            .conn
            .begin_with_options(TransactionOptions {
                isolation_level: None,
                access_mode: None,
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            })
            .await?;
        Ok(WriteTxn { txn, _guard: guard })
    }

    /// A lock no other instance on this database holds at the same time, for jobs
    /// that must run once (purge, period closing): on PostgreSQL a session advisory
    /// lock `key` within the schema Sanal runs in, on a connection of its own
    /// (`None` when another session holds it); on SQLite, which serves one
    /// instance, always granted.
    pub async fn exclusive(&self, key: i32) -> AppResult<Option<Exclusive>> {
        if self.backend() != DbBackend::Postgres {
            return Ok(Some(Exclusive { held: None }));
        }
        let mut conn = self
            .conn
            .get_postgres_connection_pool()
            .acquire()
            .await
            .map_err(|e| AppError::from(DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into()))))?;
        let got: bool = sea_orm::sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext(current_schema()), $1)",
        )
        .bind(key)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| AppError::from(DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into()))))?;
        Ok(got.then_some(Exclusive {
            held: Some((conn, key)),
        }))
    }

    /// Whether the database answers within two seconds.
    pub async fn ping(&self) -> bool {
        matches!(
            tokio::time::timeout(Duration::from_secs(2), self.conn.ping()).await,
            Ok(Ok(()))
        )
    }
}

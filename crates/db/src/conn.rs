//! Connections, the pool, migrations and write transactions on either backend.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// One connection to whichever database `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// A pooled connection, as handlers and jobs get it.
pub type PooledConn = r2d2::PooledConnection<ConnManager>;
/// The connection pool shared by the whole process.
pub type DbPool = r2d2::Pool<ConnManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// How long an SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Runs one diesel query on the backend's own connection: for SQL that both backends
/// speak but the MultiConnection cannot express, such as `ON CONFLICT DO NOTHING`.
/// `$body` is written once and compiled for each backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Sqlite($c) => $body,
            $crate::DbConn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// `n` fresh ids for new rows of `table` (`payments` or `commissions`), for rows that
/// are inserted later, many per statement. PostgreSQL takes them from the table's
/// sequence. SQLite has one writer: the ids follow the largest the table has had, and
/// the caller (inside its write transaction) continues from the last id it was given.
pub fn next_ids(conn: &mut DbConn, table: IdTable, n: usize) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let table = table.name();
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConn::Postgres(c) => Ok(diesel::sql_query(format!(
            // The sequence's name is looked up once, not once per id: OFFSET 0 keeps
            // the planner from pulling the lookup up into the per-row expression.
            "SELECT nextval(seq) AS id \
             FROM (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq OFFSET 0) s, \
                  generate_series(1, $1)"
        ))
        .bind::<diesel::sql_types::BigInt, _>(n)
        .load::<Id>(c)?
        .into_iter()
        .map(|r| r.id)
        .collect()),
        DbConn::Sqlite(c) => {
            // AUTOINCREMENT never reuses an id, not even a deleted row's.
            let last: Id = diesel::sql_query(format!(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0)) AS id"
            ))
            .get_result(c)?;
            Ok((last.id + 1..=last.id + n).collect())
        }
    }
}

/// Takes, until the transaction ends, the lock on each customer named by its vendor id
/// in `customers` or as the customer of a payment in `payments` (customers not yet
/// stored included), so that work about one customer runs one transaction at a time.
///
/// PostgreSQL: transaction-scoped advisory locks on a hash of each customer id, taken
/// in one statement in ascending key order, so that two transactions locking
/// overlapping sets cannot deadlock; call it before reading what the locks protect.
/// SQLite: nothing to do, `BEGIN IMMEDIATE` already runs writers one at a time.
pub fn lock_customers(conn: &mut DbConn, customers: &[&str], payments: &[&str]) -> QueryResult<()> {
    let DbConn::Postgres(c) = conn else {
        return Ok(());
    };
    if customers.is_empty() && payments.is_empty() {
        return Ok(());
    }
    // The sorted subquery is not flattened into the outer one, so the locks are
    // taken in its order. (A payment's customer id never changes: reading it
    // before the lock is safe.)
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(h) FROM (\
           SELECT DISTINCT hashtextextended(k, 0) AS h FROM (\
             SELECT unnest($1::text[]) AS k \
             UNION ALL \
             SELECT p.customer_external_id FROM unnest($2::text[]) AS want(k) \
               CROSS JOIN LATERAL (SELECT customer_external_id FROM payments \
                                   WHERE external_id = want.k LIMIT 1) p\
           ) named ORDER BY h\
         ) sorted",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(customers)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(payments)
    .execute(c)
    .map(drop)
}

/// The tables whose ids [`next_ids`] hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdTable {
    Payments,
    Commissions,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            Self::Payments => "payments",
            Self::Commissions => "commissions",
        }
    }
}

/// PostgreSQL SQL that finds the rows of `table` whose text column `key` is one of the
/// array `$1` (and that meet `and`, which may use `$2`), one index probe per key.
/// `WHERE key = ANY($1)` over a few hundred keys lets the planner choose a sequential
/// scan, whose cost grows with the table: 300 ms per batch on an events table of
/// 50,000 rows. The LIMIT keeps PostgreSQL from flattening the lateral subquery into
/// a hash join over the whole table. Every key must be unique in `table`.
pub(crate) fn pg_rows_by_keys(columns: &str, table: &str, key: &str, and: &str) -> String {
    format!(
        "SELECT t.* FROM unnest($1::text[]) AS want(k) CROSS JOIN LATERAL \
         (SELECT {columns} FROM {table} WHERE {key} = want.k{and} LIMIT 1) t"
    )
}

/// The rows of `table` whose unique text column `key` is one of `keys` (those that
/// exist), [`crate::IN_LIST_CHUNK`] keys per query: SQLite runs `sqlite` on each chunk
/// (an `eq_any` filter), PostgreSQL probes the index once per key ([`pg_rows_by_keys`]).
pub(crate) fn rows_by_keys<T>(
    conn: &mut DbConn,
    table: &str,
    key: &str,
    keys: &[&str],
    mut sqlite: impl FnMut(&mut SqliteConnection, &[&str]) -> QueryResult<Vec<T>>,
) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg> + 'static,
{
    let sql = pg_rows_by_keys("*", table, key, "");
    let mut found = Vec::new();
    for chunk in keys.chunks(crate::IN_LIST_CHUNK) {
        found.extend(match conn {
            DbConn::Sqlite(c) => sqlite(c, chunk)?,
            DbConn::Postgres(c) => diesel::sql_query(&sql)
                .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(chunk)
                .load(c)?,
        });
    }
    Ok(found)
}

/// Storage errors that are not a caller's mistake.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported DATABASE_URL {0:?}: use sqlite://path/to/file.db or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("migrations failed: {0}")]
    Migrations(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A path to an SQLite file (created when missing), or `:memory:`.
    Sqlite(String),
    /// A libpq URL, `postgres://user@host:5432/db`.
    Postgres(String),
}

impl DbUrl {
    /// Accepts `sqlite://path`, `sqlite:path`, `postgres://...` and `postgresql://...`.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            && !path.is_empty()
        {
            return Ok(Self::Sqlite(path.to_owned()));
        }
        Err(DbError::UnsupportedUrl(url.to_owned()))
    }

    /// The backend this URL names.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Opens one connection, tuned for the backend.
    pub fn connect(&self) -> Result<DbConn, DbError> {
        match self {
            Self::Postgres(url) => Ok(DbConn::Postgres(PgConnection::establish(url)?)),
            Self::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // WAL lets readers run beside the one writer; foreign keys are off by
                // default in SQLite; busy_timeout makes a second writer wait, not fail.
                // Savepoints and temporary tables stay in memory, not in a temporary
                // file, and each connection caches 8 MiB of pages.
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                     PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192;"
                ))
                .map_err(|e| {
                    DbError::Connect(diesel::ConnectionError::CouldntSetupConfiguration(e))
                })?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// Makes the pool. For SQLite the file's directory is created first.
    pub fn pool(&self, max_size: u32) -> Result<DbPool, DbError> {
        if let Self::Sqlite(path) = self
            && path != ":memory:"
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(10))
            .build(ConnManager { url: self.clone() })?;
        Ok(pool)
    }
}

/// The r2d2 manager: opens connections through [`DbUrl::connect`] so every pooled
/// SQLite connection gets the same pragmas.
#[derive(Debug)]
pub struct ConnManager {
    url: DbUrl,
}

impl ManageConnection for ConnManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.url.connect().map_err(|e| match e {
            DbError::Connect(c) => r2d2::Error::ConnectionError(c),
            other => r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                other.to_string(),
            )),
        })
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// A connection goes back into the pool only when it is clean: never from a thread
    /// that is unwinding from a panic (its transaction, if any, was left open), and
    /// never while a transaction is open or its transaction manager is in an error
    /// state. Without this, one panicking handler would leave SQLite's write lock
    /// held for every later writer, and on PostgreSQL every later transaction on that
    /// connection would be a savepoint of one that never commits.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        let broken = std::thread::panicking() || conn.is_broken();
        if broken {
            tracing::warn!("discarding a database connection left in a transaction or by a panic");
        }
        broken
    }
}

impl DbConn {
    /// Which backend this connection talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub fn ping(&mut self) -> QueryResult<()> {
        self.batch_execute("SELECT 1")
    }

    /// Whether the database accepts a write now, without writing anything: SQLite must
    /// grant this connection the write lock (`BEGIN IMMEDIATE`, which waits up to
    /// `busy_timeout` for a writer that holds it); PostgreSQL must give the transaction
    /// an id, which a read-only server or a read-only transaction refuses. The
    /// transaction is rolled back either way.
    pub fn check_writable(&mut self) -> QueryResult<()> {
        write_transaction(self, |conn| {
            if conn.backend() == Backend::Postgres {
                conn.batch_execute("SELECT pg_current_xact_id()")?;
            }
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        })
        .or_else(|e| match e {
            diesel::result::Error::RollbackTransaction => Ok(()),
            other => Err(other),
        })
    }
}

/// Runs every pending migration of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, DbError> {
    let migrations = match conn {
        DbConn::Sqlite(_) => SQLITE_MIGRATIONS,
        DbConn::Postgres(_) => POSTGRES_MIGRATIONS,
    };
    let applied = conn
        .run_pending_migrations(migrations)
        .map_err(|e| DbError::Migrations(e.to_string()))?;
    Ok(applied.len())
}

/// Runs `f` in a transaction that intends to write.
///
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`, taking the write lock up
/// front: a deferred transaction that reads and then writes can fail with `SQLITE_BUSY`
/// at once when another writer committed in between, and `busy_timeout` does not help
/// there. PostgreSQL gets an ordinary `BEGIN`; code that must serialise there locks rows.
/// Transactions nested inside `f` become savepoints on both backends.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Postgres(_) => conn.transaction(f),
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let DbConn::Sqlite(inner) = conn else {
                unreachable!("the variant cannot change inside the closure")
            };
            match result {
                Ok(value) => {
                    AnsiTransactionManager::commit_transaction(inner)?;
                    Ok(value)
                }
                Err(e) => {
                    AnsiTransactionManager::rollback_transaction(inner)?;
                    Err(e)
                }
            }
        }
    }
}

/// Runs `f`, which only reads, against one snapshot of the database: a page and the
/// rows nested in it (a delivery and its attempts) then agree even while writers commit
/// in between. SQLite in WAL mode keeps a read transaction on the snapshot of its first
/// read; PostgreSQL needs `REPEATABLE READ` for that (its default is per statement).
pub fn read_snapshot<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if conn.backend() == Backend::Postgres {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        f(conn)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(
            DbUrl::parse("sqlite://data/p.db").unwrap(),
            DbUrl::Sqlite("data/p.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:///abs/p.db").unwrap(),
            DbUrl::Sqlite("/abs/p.db".into())
        );
        assert_eq!(
            DbUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn a_failed_write_transaction_leaves_nothing_behind() {
        let mut conn = DbUrl::Sqlite(":memory:".into()).connect().unwrap();
        conn.batch_execute("CREATE TABLE t (x INTEGER)").unwrap();
        let result: Result<(), diesel::result::Error> = write_transaction(&mut conn, |c| {
            c.batch_execute("INSERT INTO t VALUES (1)")?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(result.is_err());
        write_transaction::<_, diesel::result::Error, _>(&mut conn, |c| {
            c.batch_execute("INSERT INTO t VALUES (2)")
        })
        .unwrap();
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(count.n, 1);
    }
}

//! A throwaway PostgreSQL database for a benchmark: created on the server the benchmark
//! is pointed at (`BENCH_PG_URL`) and dropped when it ends.

use diesel::prelude::*;

/// The admin URL of the PostgreSQL server the benchmarks use.
pub fn pg_admin() -> String {
    std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates a database `{prefix}_{random}` on the server at `admin`; answers its URL and
/// name, or `None` when the server cannot be reached.
pub fn create_pg_database(admin: &str, prefix: &str) -> Option<(String, String)> {
    let mut conn = PgConnection::establish(admin).ok()?;
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .ok()?;
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap_or(admin.to_owned());
    Some((format!("{base}/{name}"), name))
}

pub fn drop_pg_database(admin: &str, name: &str) {
    if let Ok(mut conn) = PgConnection::establish(admin) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
}

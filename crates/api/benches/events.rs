//! `just bench events`: event ingestion throughput over real HTTP, on SQLite and (when
//! reachable) PostgreSQL, single events from many concurrent clients and 1000-event
//! batches from two clients, first about the same customers, then about different
//! ones. Prints events per second; the README quotes these numbers.
//!
//! Settings: `BENCH_SINGLE` (default 6000 events), `BENCH_BATCHES` (default 40 batches
//! of 1000), `BENCH_CONCURRENCY` (default 32), `BENCH_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; skipped when unreachable),
//! `BENCH_DATABASES` (default `sqlite,postgres`).

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use partnerly_api::config::Config;
use partnerly_db::{DbConn, DbUrl, run_migrations};
use serde_json::{Value, json};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Target {
    label: &'static str,
    database_url: String,
    cleanup: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

fn sqlite() -> Target {
    let dir = tempfile::tempdir().expect("dir");
    Target {
        label: "SQLite",
        database_url: format!("sqlite://{}/bench.db", dir.path().display()),
        cleanup: None,
        _dir: dir,
    }
}

fn postgres() -> Option<Target> {
    let admin = std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut conn = PgConnection::establish(&admin).ok()?;
    let name = format!("partnerly_bench_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .ok()?;
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap_or(admin.clone());
    Some(Target {
        label: "PostgreSQL",
        database_url: format!("{base}/{name}"),
        cleanup: Some((admin, name)),
        _dir: tempfile::tempdir().expect("dir"),
    })
}

/// Starts the server in its own thread (its own actix system, like `partnerly serve`).
fn start_server(target: &Target) -> String {
    let vars: HashMap<String, String> = HashMap::from([
        (
            "PARTNERLY_DATA_DIR".into(),
            target._dir.path().display().to_string(),
        ),
        ("DATABASE_URL".into(), target.database_url.clone()),
        (
            "PARTNERLY_JWT_SECRET".into(),
            "bench-secret-0123456789abcdef-0123456789".into(),
        ),
        (
            "PARTNERLY_STATIC_DIR".into(),
            target._dir.path().join("none").display().to_string(),
        ),
        ("PARTNERLY_RATE_LIMIT_IP_FACTOR".into(), "1000".into()),
    ]);
    let config = Config::from_sources(|k| vars.get(k).cloned()).expect("config");
    let url = DbUrl::parse(&target.database_url).expect("url");
    let pool = url.pool(config.db_pool_size).expect("pool");
    run_migrations(&mut pool.get().expect("conn")).expect("migrations");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (server, _) = partnerly_api::server::start(config, pool, listener).expect("server");
            server.await.expect("server ran");
        });
    });
    format!("http://127.0.0.1:{port}")
}

fn api_key(database_url: &str) -> String {
    let mut conn: DbConn = DbUrl::parse(database_url)
        .expect("url")
        .connect()
        .expect("conn");
    use partnerly_db::schema::api_keys::dsl as k;
    let secret = format!("pk_live_{}", uuid::Uuid::new_v4().simple());
    diesel::insert_into(k::api_keys)
        .values((
            k::name.eq("bench"),
            k::owner.eq("bench"),
            k::prefix.eq(&secret[..12]),
            k::key_hash.eq(partnerly_api::auth::tokens::digest(&secret)),
            k::scopes.eq("events:write"),
            k::created_at.eq(partnerly_db::now()),
        ))
        .execute(&mut conn)
        .expect("key");
    secret
}

/// The `i`-th payment, by customer `customer`: customers pay in turn, each one an hour
/// after its previous payment, as a billing system reports them (in order, not all at
/// once). The payments are recent (from ten days ago on), so their commissions are
/// still on hold: the release job has nothing to do while the benchmark runs, as in
/// steady operation.
fn payment(i: usize, customer: usize, customers: usize) -> Value {
    static START: std::sync::LazyLock<time::OffsetDateTime> = std::sync::LazyLock::new(|| {
        let now = time::OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now) - time::Duration::days(10)
    });
    let paid_at = *START
        + time::Duration::hours((i / customers) as i64)
        + time::Duration::seconds((i % customers) as i64);
    let paid_at = paid_at
        .format(&time::format_description::well_known::Rfc3339)
        .expect("date");
    json!({"id": format!("pay-{i}"), "type": "payment.succeeded", "occurred_at": paid_at,
           "data": {"payment_id": format!("p-{i}"), "customer_id": format!("cus-{customer}"),
                    "amount": "49.00", "currency": "USD", "paid_at": paid_at}})
}

/// Sends `batches` batches of 1000 payments from two clients at once, the `i`-th
/// payment of batch `b` by customer `customer(b, i)`; answers events per second.
async fn batched(
    client: &reqwest::Client,
    base: &str,
    key: &Arc<String>,
    first: usize,
    batches: usize,
    customers: usize,
    customer: fn(usize, usize, usize) -> usize,
) -> f64 {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..2 {
        let client = client.clone();
        let key = key.clone();
        let base = base.to_owned();
        tasks.spawn(async move {
            let mut b = worker;
            while b < batches {
                let events: Vec<Value> = (0..1000)
                    .map(|j| {
                        let i = first + b * 1000 + j;
                        payment(i, customer(b, i, customers), customers)
                    })
                    .collect();
                let reply = client
                    .post(format!("{base}/api/v1/events/batch"))
                    .bearer_auth(key.as_str())
                    .json(&json!({"events": events}))
                    .send()
                    .await
                    .expect("batch");
                assert!(reply.status().is_success(), "batch {b}: {}", reply.status());
                b += 2;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    (batches * 1000) as f64 / started.elapsed().as_secs_f64()
}

async fn run(target: Target, single: usize, batches: usize, concurrency: usize) -> (f64, f64, f64) {
    let base = start_server(&target);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    for _ in 0..100 {
        if client.get(format!("{base}/readyz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let signup: Value = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"name": "Bench Partner", "email": "bench@example.com", "password": "bench passphrase 1"}))
        .send()
        .await
        .expect("signup")
        .json()
        .await
        .expect("json");
    let token = signup["access_token"].as_str().expect("token").to_owned();
    let links: Value = client
        .get(format!("{base}/api/v1/links"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("links")
        .json()
        .await
        .expect("json");
    let code = links["items"][0]["code"].as_str().expect("code").to_owned();
    let key = Arc::new(api_key(&target.database_url));
    let customers = 500;
    let setup: Vec<Value> = (0..customers)
        .map(|c| json!({"id": format!("signup-{c}"), "type": "customer.signed_up", "occurred_at": "2025-12-01T00:00:00Z",
                        "data": {"customer_id": format!("cus-{c}"), "ref_code": code}}))
        .collect();
    let reply = client
        .post(format!("{base}/api/v1/events/batch"))
        .bearer_auth(key.as_str())
        .json(&json!({"events": setup}))
        .send()
        .await
        .expect("setup batch");
    assert!(
        reply.status().is_success(),
        "setup batch: {}",
        reply.status()
    );

    // Single events from `concurrency` clients.
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let key = key.clone();
        let base = base.clone();
        tasks.spawn(async move {
            let mut i = worker;
            while i < single {
                let reply = client
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(key.as_str())
                    .json(&payment(i, i % customers, customers))
                    .send()
                    .await
                    .expect("event");
                assert!(reply.status().is_success(), "event {i}: {}", reply.status());
                i += concurrency;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let single_rate = single as f64 / started.elapsed().as_secs_f64();

    // Batches of 1000, two at a time: every batch names every customer, so the two
    // wait for each other's customer locks (the worst case).
    let shared_rate = batched(
        &client,
        &base,
        &key,
        single,
        batches,
        customers,
        |_, i, n| i % n,
    )
    .await;
    // Again, the two clients' batches about different halves of the customers (as a
    // billing run split between two senders), which may run side by side.
    let first = single + batches * 1000;
    let split_rate = batched(
        &client,
        &base,
        &key,
        first,
        batches,
        customers,
        |b, i, n| (i % (n / 2)) + (n / 2) * (b % 2),
    )
    .await;

    if let Some((admin, name)) = &target.cleanup
        && let Ok(mut conn) = PgConnection::establish(admin)
    {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
    (single_rate, shared_rate, split_rate)
}

fn main() {
    let single = env_or("BENCH_SINGLE", 6000);
    let batches = env_or("BENCH_BATCHES", 40);
    let concurrency = env_or("BENCH_CONCURRENCY", 32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let databases = std::env::var("BENCH_DATABASES").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut targets = Vec::new();
    if databases.contains("sqlite") {
        targets.push(sqlite());
    }
    if databases.contains("postgres") {
        match postgres() {
            Some(pg) => targets.push(pg),
            None => eprintln!("PostgreSQL not reachable: not benchmarked"),
        }
    }
    println!(
        "Event ingestion over HTTP ({single} single events from {concurrency} clients; \
         {batches} batches of 1000 from 2 clients, first about the same customers, then \
         about different ones)"
    );
    println!(
        "{:<12} {:>16} {:>18} {:>18}",
        "database", "single events/s", "batched, shared", "batched, split"
    );
    for target in targets {
        let label = target.label;
        let (single_rate, shared_rate, split_rate) =
            runtime.block_on(run(target, single, batches, concurrency));
        println!("{label:<12} {single_rate:>16.0} {shared_rate:>18.0} {split_rate:>18.0}");
    }
}

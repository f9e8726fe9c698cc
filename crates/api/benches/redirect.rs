//! `just bench redirect`: the tracking redirect against nginx on the same machine, and
//! the partner figures on a partner with a million clicks.
//!
//! Runs once per database of `BENCH_DATABASES` (default `sqlite,postgres`; PostgreSQL at
//! `BENCH_PG_URL`, a fresh database dropped afterwards, skipped when unreachable):
//!
//! 1. Starts `partnerly serve` (the release binary, its own process, on that database)
//!    and nginx answering a bare `return 302` (a temp config), loads each with
//!    wrk (`BENCH_SECONDS`, default 10, `BENCH_CONNECTIONS`, default 64, 2 threads, a
//!    browser user agent so the clicks are not bots), and prints both throughputs,
//!    p50/p99 latencies and the ratios.
//! 2. Waits for the click writer, then checks that the clicks stored equal the clicks the
//!    server accepted exactly (`GET /api/v1/admin/tracking`), with none dropped, and prints
//!    wrk's own count beside them (wrk does not count the answers in flight when it stops).
//!    The queue is made big enough for the whole run, and the writer's own pace (what was
//!    still queued when the load stopped, over the time it took to store it) is printed.
//! 3. Gives the partner 1,000,000 clicks over a year (clicks and their daily figures) and
//!    100,000 customers (10,000 paying, 30,000 payments), then times
//!    `GET /api/v1/me/stats` and a year of `GET /api/v1/me/stats/timeseries`
//!    (`BENCH_STATS_REQUESTS`, default 200, one at a time) and prints p50/p95.
//!
//! Needs `wrk` and `nginx` on the PATH (Debian: `apt-get install wrk nginx-light`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

#[path = "support/pg.rs"]
mod pg;

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const ADMIN_PASSWORD: &str = "bench admin passphrase";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process that is stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn partnerly(dir: &std::path::Path, database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_partnerly"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PARTNERLY_DATA_DIR", dir)
        .env("DATABASE_URL", database_url)
        .env(
            "PARTNERLY_JWT_SECRET",
            "bench-secret-0123456789abcdef-0123456789",
        )
        .env("PARTNERLY_STATIC_DIR", dir.join("none"))
        .env("PARTNERLY_RATE_LIMIT_IP_FACTOR", "1000")
        .env("PARTNERLY_ADMIN_PASSWORD", ADMIN_PASSWORD)
        // Room for every click of the run: the writer's own pace is measured apart.
        .env("PARTNERLY_CLICK_QUEUE", "4000000")
        .env("PARTNERLY_LOG", "error");
    cmd
}

/// What wrk measured.
#[derive(Debug, Clone, Copy)]
struct Load {
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn millis(text: &str) -> f64 {
    let number = |suffix: &str| {
        text.trim_end_matches(suffix)
            .parse::<f64>()
            .unwrap_or(f64::NAN)
    };
    if text.ends_with("us") {
        number("us") / 1000.0
    } else if text.ends_with("ms") {
        number("ms")
    } else if text.ends_with('s') {
        number("s") * 1000.0
    } else {
        f64::NAN
    }
}

fn wrk(url: &str) -> Load {
    let seconds = env_or("BENCH_SECONDS", 10);
    let connections = env_or("BENCH_CONNECTIONS", 64);
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
            &format!("User-Agent: {BROWSER}"),
            url,
        ])
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |line_start: &str, index: usize| {
        text.lines()
            .find(|l| l.trim_start().starts_with(line_start))
            .and_then(|l| l.split_whitespace().nth(index).map(str::to_owned))
            .unwrap_or_default()
    };
    let requests = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if text.contains("Non-2xx") {
        // 302 counts as non-2xx for wrk: expected.
    }
    Load {
        requests,
        per_second: field("Requests/sec:", 1).parse().unwrap_or(0.0),
        p50_ms: millis(&field("50%", 1)),
        p99_ms: millis(&field("99%", 1)),
    }
}

fn nginx(dir: &std::path::Path, port: u16) -> Running {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log;\n\
             daemon off;\nevents {{ worker_connections 4096; }}\n\
             http {{ access_log off; server {{ listen 127.0.0.1:{port}; \
             location / {{ return 302 http://127.0.0.1/; }} }} }}\n",
            dir = dir.display()
        ),
    )
    .expect("nginx config");
    let child = Command::new("nginx")
        .args([
            "-c",
            &conf.display().to_string(),
            "-p",
            &dir.display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx runs (apt-get install nginx-light)");
    Running(child)
}

fn wait_up(url: &str) {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for _ in 0..200 {
        if client.get(url).send().is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{url} did not come up");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let wanted = std::env::var("BENCH_DATABASES").unwrap_or_else(|_| "sqlite,postgres".into());
    for backend in wanted.split(',').map(str::trim) {
        match backend {
            "sqlite" => {
                let dir = tempfile::tempdir().expect("dir");
                let url = format!("sqlite://{}/bench.db", dir.path().display());
                run("SQLite", dir.path(), &url, Backend::Sqlite);
            }
            "postgres" => {
                let admin = pg::pg_admin();
                let Some((url, name)) = pg::create_pg_database(&admin, "partnerly_bench_redirect")
                else {
                    println!("PostgreSQL at {admin} is not reachable: skipped");
                    continue;
                };
                let dir = tempfile::tempdir().expect("dir");
                run("PostgreSQL", dir.path(), &url, Backend::Postgres);
                pg::drop_pg_database(&admin, &name);
            }
            other => panic!("BENCH_DATABASES: unknown backend {other}"),
        }
    }
}

/// Which SQL dialect the seeding speaks.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The whole benchmark against one database.
fn run(label: &str, dir: &std::path::Path, database_url: &str, backend: Backend) {
    println!("== {label}");
    let status = partnerly(dir, database_url)
        .arg("migrate")
        .status()
        .expect("migrate");
    assert!(status.success());
    let status = partnerly(dir, database_url)
        .args(["create-admin", "--email", "boss@bench.example"])
        .stdout(Stdio::null())
        .status()
        .expect("create-admin");
    assert!(status.success());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Running(
        partnerly(dir, database_url)
            .env("PARTNERLY_BIND", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .expect("serve"),
    );
    wait_up(&format!("{base}/healthz"));
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let session = |email: &str, path: &str, body: Value| -> String {
        let answer: Value = http
            .post(format!("{base}{path}"))
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("{email}: {e}"));
        answer["access_token"]
            .as_str()
            .expect("a session")
            .to_owned()
    };
    let partner = session(
        "ada",
        "/api/v1/auth/signup",
        json!({"name": "Ada Lovelace", "email": "ada@bench.example", "password": "correct horse battery"}),
    );
    let admin = session(
        "boss",
        "/api/v1/auth/login",
        json!({"email": "boss@bench.example", "password": ADMIN_PASSWORD}),
    );
    let get = |token: &str, path: &str| -> Value {
        http.get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let links = get(&partner, "/api/v1/links");
    let code = links["items"][0]["code"]
        .as_str()
        .expect("a code")
        .to_owned();
    let link_id = links["items"][0]["id"].as_i64().expect("a link id");
    let membership_id = links["items"][0]["membership_id"]
        .as_i64()
        .expect("a membership");

    // 1. The redirect and nginx.
    let nginx_port = free_port();
    let _nginx = nginx(dir, nginx_port);
    let nginx_url = format!("http://127.0.0.1:{nginx_port}/");
    wait_up(&nginx_url);
    let ours = wrk(&format!("{base}/r/{code}"));
    let theirs = wrk(&nginx_url);
    println!(
        "redirect (wrk -t2 -c{}, {} s each):",
        env_or("BENCH_CONNECTIONS", 64),
        env_or("BENCH_SECONDS", 10)
    );
    println!(
        "  /r/{{code}}  {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        ours.per_second, ours.p50_ms, ours.p99_ms
    );
    println!(
        "  nginx 302  {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        theirs.per_second, theirs.p50_ms, theirs.p99_ms
    );
    println!(
        "  ratio      {:>8.0}% of nginx's throughput, p99 {:.2}× nginx's",
        ours.per_second / theirs.per_second * 100.0,
        ours.p99_ms / theirs.p99_ms
    );

    // 2. Every click accepted is stored; how fast the writer stores them.
    let before = get(&admin, "/api/v1/admin/tracking");
    let drain_started = Instant::now();
    let mut status = before.clone();
    for _ in 0..60000 {
        if status["written"] == status["accepted"] {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        status = get(&admin, "/api/v1/admin/tracking");
    }
    let mut conn = partnerly_db::DbUrl::parse(database_url)
        .expect("url")
        .connect()
        .expect("conn");
    let stored = partnerly_db::click::Click::count(&mut conn).expect("count");
    let accepted = status["accepted"].as_i64().unwrap_or(-1);
    println!(
        "clicks: wrk counted {} answers; the server accepted {accepted}, dropped {}, stored {stored}",
        ours.requests, status["dropped"]
    );
    let backlog = before["queued"].as_f64().unwrap_or(0.0);
    if backlog > 0.0 {
        println!(
            "click writer: {backlog:.0} clicks still queued after the load, stored in {:.1} s \
             ({:.0} clicks/s with the machine otherwise idle)",
            drain_started.elapsed().as_secs_f64(),
            backlog / drain_started.elapsed().as_secs_f64()
        );
    }
    assert_eq!(stored, accepted, "every accepted click is stored");
    assert_eq!(status["dropped"], 0, "no click dropped");

    // 3. A partner with a million clicks and 100,000 customers.
    let started = Instant::now();
    seed_history(&mut conn, backend, link_id, membership_id);
    println!("history seeded in {:.1} s", started.elapsed().as_secs_f64());
    let requests = env_or("BENCH_STATS_REQUESTS", 200);
    let today = time::OffsetDateTime::now_utc().date();
    let year_ago = today - time::Duration::days(365);
    for (label, path) in [
        ("GET /api/v1/me/stats", "/api/v1/me/stats".to_owned()),
        (
            "GET /api/v1/me/stats/timeseries (365 days)",
            format!(
                "/api/v1/me/stats/timeseries?from={}&to={}",
                partnerly_domain::tracking::format_date(year_ago + time::Duration::days(1)),
                partnerly_domain::tracking::format_date(today)
            ),
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..requests {
            let start = Instant::now();
            let answer = http
                .get(format!("{base}{path}"))
                .bearer_auth(&partner)
                .send()
                .expect("answer");
            assert!(answer.status().is_success(), "{path}: {}", answer.status());
            let _ = answer.bytes();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: p50 {:.2} ms, p95 {:.2} ms ({requests} requests)",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }
    drop(server);
}

/// A year of history for the partner's link: 1,000,000 clicks (rows and their daily
/// figures) and 100,000 customers, 10,000 of them paying (30,000 payments and their
/// commissions), with the dashboard's rollups rebuilt from them.
fn seed_history(
    conn: &mut partnerly_db::DbConn,
    backend: Backend,
    link_id: i64,
    membership_id: i64,
) {
    let program: i64 = partnerly_db::schema::memberships::table
        .find(membership_id)
        .select(partnerly_db::schema::memberships::program_id)
        .get_result(conn)
        .expect("program");
    // `numbers(n)`: a table n(i) of 0..n; `ago(e)`: the moment e days ago; `day_ago(e)`:
    // that day; `now`: this moment.
    let numbers = |n: u32| match backend {
        Backend::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {})",
            n - 1
        ),
        Backend::Postgres => format!("WITH n(i) AS (SELECT generate_series(0, {}))", n - 1),
    };
    let ago = |e: &str| match backend {
        Backend::Sqlite => format!("datetime('now', '-' || ({e}) || ' days')"),
        Backend::Postgres => format!("CAST(now() - ({e}) * interval '1 day' AS TIMESTAMP)"),
    };
    let day_ago = |e: &str| match backend {
        Backend::Sqlite => format!("date('now', '-' || ({e}) || ' days')"),
        Backend::Postgres => format!("(current_date - ({e}))"),
    };
    let now = match backend {
        Backend::Sqlite => "datetime('now')",
        Backend::Postgres => "CAST(now() AS TIMESTAMP)",
    };
    let statements = [
        format!(
            "{} INSERT INTO clicks (public_id, link_id, membership_id, program_id, visitor, \
             is_unique, landing_query, clicked_at) SELECT 'bench' || i, {link_id}, \
             {membership_id}, {program}, 'v' || (i % 300000), i % 3 = 0, '', {} FROM n",
            numbers(1_000_000),
            ago("i % 365")
        ),
        format!(
            "{} INSERT INTO link_daily_stats (link_id, day, membership_id, clicks, \
             unique_clicks, bot_clicks, signups, paying_customers, deals) SELECT {link_id}, \
             {}, {membership_id}, 2740, 913, 10, 274, 27, 1 FROM n",
            numbers(365),
            day_ago("i + 1")
        ),
        format!(
            "{} INSERT INTO customers (external_id, email, membership_id, link_id, \
             attributed_via, attributed_at, status, signed_up_at, first_paid_at, updated_at) \
             SELECT 'bench-' || i, 'c' || i || '@bench.example', {membership_id}, {link_id}, \
             'ref_code', {ago}, 'active', {ago}, CASE WHEN i % 10 = 0 THEN {ago} END, {now} \
             FROM n",
            numbers(100_000),
            ago = ago("i % 365")
        ),
        // Three monthly payments of every paying customer, one partly refunded.
        format!(
            "WITH k(j) AS (VALUES (0), (1), (2)) \
             INSERT INTO payments (external_id, customer_external_id, customer_id, amount_minor, \
             currency, period_months, paid_at, refunded_minor, created_at) \
             SELECT c.external_id || '-pay-' || k.j, c.external_id, c.id, 4900, \
             (SELECT currency FROM programs WHERE id = {program}), 1, c.first_paid_at, \
             CASE WHEN k.j = 2 THEN 900 ELSE 0 END, {now} \
             FROM customers c, k WHERE c.membership_id = {membership_id} AND c.first_paid_at IS NOT NULL"
        ),
        // 20% of every payment, through the link, reversed in part with its refund.
        format!(
            "INSERT INTO commissions (payment_id, membership_id, level_id, rule_version, kind, \
             rate, amount_minor, currency, reversed_minor, status, available_at, created_at, \
             link_id) SELECT p.id, {membership_id}, m.level_id, 1, 'percent', '20', \
             p.amount_minor / 5, p.currency, p.refunded_minor / 5, 'available', p.paid_at, \
             p.paid_at, {link_id} FROM payments p JOIN customers c ON c.id = p.customer_id \
             JOIN memberships m ON m.id = c.membership_id WHERE m.id = {membership_id}"
        ),
    ];
    for sql in statements {
        diesel::sql_query(sql).execute(conn).expect("seed history");
    }
    // Loaded around the engine: the dashboard's rollups are written from the rows.
    partnerly_db::figures::rebuild(conn).expect("rollups");
}

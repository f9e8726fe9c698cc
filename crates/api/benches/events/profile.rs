//! `BENCH_PROFILE=1`: where a phase's database time goes, statement by statement.
//!
//! Every connection the process opens (the server's pool and the benchmark's) gets a
//! diesel instrumentation that times each statement from the client's side (for
//! PostgreSQL: the round trip and the server's work; for SQLite: the library's work)
//! while a phase is being recorded. Statements are grouped by their SQL with the bound
//! values, the placeholders' numbers and all rows of a multi-row VALUES list but the
//! first left out. Off by default: formatting every statement slows the run.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};

#[derive(Default, Clone)]
struct Stat {
    statements: u64,
    /// Rows of the VALUES lists (multi-row INSERTs), 0 for other statements.
    rows: u64,
    time: Duration,
}

/// The statements of the phase being recorded, `None` between phases.
static RECORDED: Mutex<Option<HashMap<String, Stat>>> = Mutex::new(None);

/// Whether [`install`] ran: otherwise phases are not recorded.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Whether `BENCH_PROFILE` asks for the statement profile.
pub fn wanted() -> bool {
    std::env::var("BENCH_PROFILE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Instruments every connection opened from now on.
pub fn install() {
    diesel::connection::set_default_instrumentation(|| {
        let mut started: Option<Instant> = None;
        let timer = move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartQuery { .. } => started = Some(Instant::now()),
            InstrumentationEvent::FinishQuery { query, .. } => {
                let Some(start) = started.take() else { return };
                let took = start.elapsed();
                let mut recorded = RECORDED.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(stats) = recorded.as_mut() {
                    let (sql, rows) = normalize(&sql_of(query));
                    let stat = stats.entry(sql).or_default();
                    stat.statements += 1;
                    stat.rows += rows;
                    stat.time += took;
                }
            }
            _ => {}
        };
        Some(Box::new(timer) as Box<dyn Instrumentation>)
    })
    .expect("instrumentation");
    INSTALLED.store(true, Ordering::Relaxed);
}

/// Starts recording a phase (when installed).
pub fn start() {
    if !INSTALLED.load(Ordering::Relaxed) {
        return;
    }
    *RECORDED.lock().unwrap_or_else(|e| e.into_inner()) = Some(HashMap::new());
}

/// Stops recording and prints the phase's statements, most time first: per 1000
/// events, how many statements (and rows), and their time; then the total against the
/// phase's wall time (`elapsed`; connections overlap, so the sum may exceed it).
pub fn report(label: &str, events: usize, elapsed: Duration) {
    let Some(stats) = RECORDED.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return;
    };
    let mut stats: Vec<(String, Stat)> = stats.into_iter().collect();
    stats.sort_by_key(|(_, s)| std::cmp::Reverse(s.time));
    let total: Duration = stats.iter().map(|(_, s)| s.time).sum();
    let statements: u64 = stats.iter().map(|(_, s)| s.statements).sum();
    let per_k = 1000.0 / events as f64;
    println!(
        "{label}: {events} events in {:.2} s; {statements} statements took {:.2} s \
         ({:.0}% of the wall time); per 1000 events:",
        elapsed.as_secs_f64(),
        total.as_secs_f64(),
        100.0 * total.as_secs_f64() / elapsed.as_secs_f64()
    );
    println!(
        "  {:>10} {:>10} {:>9} {:>5}  statement",
        "statements", "rows", "ms", "time"
    );
    for (sql, s) in stats.iter().take(16) {
        println!(
            "  {:>10.1} {:>10.0} {:>9.1} {:>4.0}%  {}",
            s.statements as f64 * per_k,
            s.rows as f64 * per_k,
            s.time.as_secs_f64() * 1000.0 * per_k,
            100.0 * s.time.as_secs_f64() / total.as_secs_f64(),
            shorten(sql, 150)
        );
    }
}

fn shorten(sql: &str, most: usize) -> String {
    match sql.char_indices().nth(most) {
        Some((at, _)) => format!("{}…", &sql[..at]),
        None => sql.to_owned(),
    }
}

/// A statement's SQL: its `Display` up to where the bound values begin (writing those
/// would cost more than the statement).
fn sql_of(query: impl std::fmt::Display) -> String {
    struct UpToBinds(String);
    impl std::fmt::Write for UpToBinds {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            match s.find(" -- binds") {
                Some(at) => {
                    self.0.push_str(&s[..at]);
                    Err(std::fmt::Error)
                }
                None => {
                    self.0.push_str(s);
                    Ok(())
                }
            }
        }
    }
    let mut sql = UpToBinds(String::new());
    // The error is ours: it stops the writing at the binds.
    let _ = std::fmt::write(&mut sql, format_args!("{query}"));
    sql.0
}

/// The statement's SQL without its binds, `$n` as `?`, lists of placeholders and
/// VALUES rows cut to their first entry; and how many VALUES rows it had.
fn normalize(query: &str) -> (String, u64) {
    let sql = query;
    let mut out = String::with_capacity(sql.len().min(400));
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    while out.contains("?, ?") {
        out = out.replace("?, ?", "?");
    }
    let mut rows = 0;
    if let Some(at) = out.find(" VALUES (") {
        let tuples = &out[at..];
        rows = tuples.matches("), (").count() as u64 + 1;
        if let Some(end) = tuples.find("), (") {
            let rest = tuples[end..]
                .rfind(')')
                .map(|last| &tuples[end + last + 1..])
                .unwrap_or("");
            out = format!("{}), …{rest}", &out[..at + end]);
        }
    }
    (out, rows)
}

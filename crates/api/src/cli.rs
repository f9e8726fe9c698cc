//! The `partnerly` command line: serve (default), migrate, seed-demo, create-admin, openapi.

use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use partnerly_db::{DbUrl, run_migrations};
use partnerly_domain::account::Role;
use partnerly_domain::{Email, Password};
use tracing_subscriber::EnvFilter;

use crate::auth::password;
use crate::config::{Config, LogFormat};
use crate::{openapi, seed, server};

/// Partnerly: a self-hosted partner and affiliate program platform.
///
/// Configuration comes from environment variables (and an optional partnerly.toml);
/// see the README for the list.
#[derive(Debug, Parser)]
#[command(name = "partnerly", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run pending migrations and serve the API and the portal (the default).
    Serve,
    /// Run pending database migrations and exit.
    Migrate,
    /// Create the demo accounts (idempotent) and print their logins.
    SeedDemo,
    /// Create a staff account. The password is PARTNERLY_ADMIN_PASSWORD when set,
    /// otherwise one is generated and printed.
    CreateAdmin {
        /// The staff member's email.
        #[arg(long)]
        email: String,
        /// The staff role.
        #[arg(long, value_enum, default_value_t = StaffRole::Admin)]
        role: StaffRole,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Check the ledger's invariants and the dashboard's rollups against the database;
    /// exits 1 on a problem.
    LedgerCheck {
        /// First write the dashboard's rollups again from the rows they count (after
        /// rows were changed by hand, or loaded around Partnerly).
        #[arg(long)]
        rebuild_rollups: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StaffRole {
    Admin,
    Finance,
    Manager,
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Self {
        match r {
            StaffRole::Admin => Role::Admin,
            StaffRole::Finance => Role::Finance,
            StaffRole::Manager => Role::Manager,
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", openapi::document_json());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("partnerly: configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => migrate(&config).map(drop),
        Command::SeedDemo => seed_demo(&config),
        Command::CreateAdmin { email, role } => create_admin(&config, &email, role.into()),
        Command::Openapi => Ok(()),
        Command::LedgerCheck { rebuild_rollups } => ledger_check(&config, rebuild_rollups),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("partnerly: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_env("PARTNERLY_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

fn connect(config: &Config) -> anyhow::Result<partnerly_db::DbConn> {
    let url = DbUrl::parse(&config.database_url)?;
    // Creates the SQLite file's directory; one connection is enough for a command.
    let pool = url.pool(1)?;
    drop(pool);
    Ok(url.connect()?)
}

fn migrate(config: &Config) -> anyhow::Result<usize> {
    let mut conn = connect(config)?;
    let applied = run_migrations(&mut conn)?;
    tracing::info!(applied, "migrations up to date");
    Ok(applied)
}

fn seed_demo(config: &Config) -> anyhow::Result<()> {
    let mut conn = connect(config)?;
    run_migrations(&mut conn)?;
    let created = seed::seed_demo(&mut conn, &config.public_url)?;
    println!("Demo data ready ({created} accounts created). Demo logins:");
    for line in seed::demo_logins(&mut conn)? {
        println!("  {line}");
    }
    Ok(())
}

fn create_admin(config: &Config, email: &str, role: Role) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let (pass, generated) = match std::env::var("PARTNERLY_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (crate::auth::tokens::generate()[..20].to_owned(), true),
    };
    let pass =
        Password::parse(&pass).map_err(|e| anyhow::anyhow!("PARTNERLY_ADMIN_PASSWORD: {e}"))?;
    let hash = password::hash(pass.expose()).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let mut conn = connect(config)?;
    run_migrations(&mut conn)?;
    seed::create_staff(&mut conn, email.as_str(), role, &hash)?;
    println!("Created {} account {email}", role.as_str());
    if generated {
        println!("Password: {}", pass.expose());
    }
    Ok(())
}

fn ledger_check(config: &Config, rebuild_rollups: bool) -> anyhow::Result<()> {
    let mut conn = connect(config)?;
    if rebuild_rollups {
        partnerly_db::write_transaction(&mut conn, partnerly_db::figures::rebuild)?;
        println!("Rollups rebuilt from the rows.");
    }
    let report = crate::ledger_check::run(&mut conn)?;
    if report.problems.is_empty() {
        println!(
            "Ledger OK: {} transfers, every invariant holds.",
            report.transfers
        );
        return Ok(());
    }
    for problem in &report.problems {
        println!("PROBLEM: {problem}");
    }
    anyhow::bail!(
        "{} ledger problem(s) in {} transfers",
        report.problems.len(),
        report.transfers
    )
}

fn serve(config: Config) -> anyhow::Result<()> {
    migrate(&config)?;
    let url = DbUrl::parse(&config.database_url)?;
    let pool = url.pool(config.db_pool_size)?;
    let mut conn = pool.get().context("database connection")?;
    let logins = seed::demo_logins(&mut conn)?;
    drop(conn);
    let listener = TcpListener::bind(&config.bind)
        .with_context(|| format!("cannot listen on {} (PARTNERLY_BIND)", config.bind))?;
    let public_url = config.public_url.clone();
    let portal_built = config.static_dir.join("index.html").exists();
    let static_dir = config.static_dir.clone();

    actix_web::rt::System::new().block_on(async move {
        let (server, state) = server::start(config, pool, listener)?;
        println!();
        println!("Partnerly is running at {public_url}");
        println!("  API docs  {public_url}/api/docs/");
        if !portal_built {
            println!(
                "  (the portal is not built in {}: run `just portal`)",
                static_dir.display()
            );
        }
        if !logins.is_empty() {
            println!("  Demo logins:");
            for line in &logins {
                println!("    {line}");
            }
        }
        println!();
        server.await?;
        // No request comes any more: store the clicks still queued.
        state.tracking.queue.drain().await;
        tracing::info!("stopped");
        Ok(())
    })
}

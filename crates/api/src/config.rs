//! Configuration: environment variables, over an optional `partnerly.toml`, over defaults.
//!
//! Every setting has one name: `PARTNERLY_BIND` in the environment is `bind` in the file
//! (`DATABASE_URL` is `database_url`). The README's configuration table lists them all.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use serde::Deserialize;

use crate::client_ip::{TrustedProxies, parse_networks};
use crate::webhook_target::TargetPolicy;

/// Shortest JWT signing secret accepted in production, in bytes (HS256 wants ≥ 256 bits).
pub const MIN_SECRET_LEN: usize = 32;

/// Development (lenient, self-configuring) or production (strict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// SMTP delivery settings; without them email stays in the outbox.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://...:465` (TLS) or
    /// `smtp://host:25?tls=none` for a local relay.
    pub url: String,
    /// The From address, e.g. `Partnerly <partners@example.com>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("SmtpConfig")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// The whole configuration of a running Partnerly.
#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub bind: String,
    /// The URL people reach Partnerly at, without a trailing slash; used in emails.
    pub public_url: String,
    pub jwt_secret: Vec<u8>,
    pub smtp: Option<SmtpConfig>,
    /// The built portal (Trunk's `dist`).
    pub static_dir: PathBuf,
    /// When set (`PARTNERLY_TRUST_PROXY`), the client IP is the right-most address in
    /// `X-Forwarded-For` that is not one of these proxies (`PARTNERLY_TRUSTED_PROXIES`).
    pub trusted_proxies: Option<TrustedProxies>,
    pub db_pool_size: u32,
    pub log_format: LogFormat,
    /// Multiplies the per-IP rate limits (sign-in, sign-up, reset); per-account limits stay.
    pub rate_limit_ip_factor: u32,
    /// Where webhooks may go besides the public internet
    /// (`PARTNERLY_WEBHOOK_ALLOW_NETWORKS`, see [`crate::webhook_target`]).
    pub webhook_targets: TargetPolicy,
    /// How long a rotated webhook secret still signs, beside the new one
    /// (`PARTNERLY_WEBHOOK_SECRET_OVERLAP_HOURS`, default 24; 0 ends it at once).
    pub webhook_secret_overlap: time::Duration,
    /// The tracking redirect's click queue and code directory ([`crate::tracking`]).
    pub tracking: TrackingConfig,
}

/// How the tracking redirect stores clicks and learns of link changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingConfig {
    /// Clicks waiting for the writer at most (`PARTNERLY_CLICK_QUEUE`, default 50000);
    /// beyond it the visitor is still redirected and the click is counted as dropped.
    pub queue_capacity: usize,
    /// How long the writer waits to fill a batch after a click arrives
    /// (`PARTNERLY_CLICK_FLUSH_MS`, default 200).
    pub flush: std::time::Duration,
    /// How often the directory of codes reloads what changed, here or on other
    /// instances (`PARTNERLY_LINK_REFRESH_MS`, default 2000).
    pub refresh: std::time::Duration,
    /// Where unknown codes land (`PARTNERLY_DEFAULT_LANDING_URL`); unset: the first
    /// program's landing page.
    pub default_landing_url: Option<String>,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 50_000,
            flush: std::time::Duration::from_millis(200),
            refresh: std::time::Duration::from_millis(2_000),
            default_landing_url: None,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("smtp", &self.smtp)
            .field("static_dir", &self.static_dir)
            .finish_non_exhaustive()
    }
}

/// The settings as read from `partnerly.toml`; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    env: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    bind: Option<String>,
    public_url: Option<String>,
    jwt_secret: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    static_dir: Option<String>,
    trust_proxy: Option<bool>,
    trusted_proxies: Option<String>,
    db_pool_size: Option<u32>,
    log_format: Option<String>,
    rate_limit_ip_factor: Option<u32>,
    webhook_allow_networks: Option<String>,
    webhook_secret_overlap_hours: Option<u32>,
    click_queue: Option<usize>,
    click_flush_ms: Option<u64>,
    link_refresh_ms: Option<u64>,
    default_landing_url: Option<String>,
}

impl Config {
    /// Reads the process environment and the config file (`PARTNERLY_CONFIG`, else
    /// `./partnerly.toml` when present).
    pub fn load() -> anyhow::Result<Self> {
        Self::from_sources(|key| std::env::var(key).ok().filter(|v| !v.is_empty()))
    }

    /// Builds the configuration from an environment lookup (tests pass their own).
    pub fn from_sources(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let file = match env("PARTNERLY_CONFIG") {
            Some(path) => read_file(Path::new(&path))?,
            None if Path::new("partnerly.toml").exists() => read_file(Path::new("partnerly.toml"))?,
            None => FileConfig::default(),
        };
        let get = |env_key: &str, file_value: &Option<String>| {
            env(env_key).or_else(|| file_value.clone())
        };

        let environment = match get("PARTNERLY_ENV", &file.env).as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => bail!("PARTNERLY_ENV must be development or production, not {other:?}"),
        };
        let data_dir = PathBuf::from(
            get("PARTNERLY_DATA_DIR", &file.data_dir).unwrap_or_else(|| "data".into()),
        );
        let database_url = get("DATABASE_URL", &file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("partnerly.db").display()));
        let bind = get("PARTNERLY_BIND", &file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = get("PARTNERLY_PUBLIC_URL", &file.public_url)
            .unwrap_or_else(|| format!("http://{}", bind.replace("0.0.0.0", "localhost")))
            .trim_end_matches('/')
            .to_owned();
        let smtp = match (
            get("PARTNERLY_SMTP_URL", &file.smtp_url),
            get("PARTNERLY_SMTP_FROM", &file.smtp_from),
        ) {
            (Some(url), from) => Some(SmtpConfig {
                url,
                from: from.unwrap_or_else(|| "Partnerly <partners@localhost>".into()),
            }),
            (None, _) => None,
        };
        let static_dir = PathBuf::from(
            get("PARTNERLY_STATIC_DIR", &file.static_dir).unwrap_or_else(|| "frontend/dist".into()),
        );
        let trust_proxy = match env("PARTNERLY_TRUST_PROXY") {
            Some(v) => parse_bool(&v).context("PARTNERLY_TRUST_PROXY")?,
            None => file.trust_proxy.unwrap_or(false),
        };
        // A list that does not parse stops start-up even while the proxy is not trusted.
        let listed = get("PARTNERLY_TRUSTED_PROXIES", &file.trusted_proxies)
            .map(|list| TrustedProxies::parse(&list))
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("PARTNERLY_TRUSTED_PROXIES")?;
        let trusted_proxies = trust_proxy.then(|| listed.unwrap_or_default());
        let db_pool_size = match env("PARTNERLY_DB_POOL_SIZE") {
            Some(v) => v
                .parse()
                .context("PARTNERLY_DB_POOL_SIZE must be a number")?,
            None => file.db_pool_size.unwrap_or(10),
        };
        let rate_limit_ip_factor =
            match env("PARTNERLY_RATE_LIMIT_IP_FACTOR") {
                Some(v) => v.parse().ok().filter(|f| *f >= 1).context(
                    "PARTNERLY_RATE_LIMIT_IP_FACTOR must be a whole number of at least 1",
                )?,
                None => file.rate_limit_ip_factor.unwrap_or(1),
            };
        let webhook_targets = get(
            "PARTNERLY_WEBHOOK_ALLOW_NETWORKS",
            &file.webhook_allow_networks,
        )
        .map(|list| parse_networks(&list))
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("PARTNERLY_WEBHOOK_ALLOW_NETWORKS")?
        .map(TargetPolicy::allowing)
        .unwrap_or_default();
        let overlap_hours = match env("PARTNERLY_WEBHOOK_SECRET_OVERLAP_HOURS") {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|h| *h <= 24 * 30)
                .context("PARTNERLY_WEBHOOK_SECRET_OVERLAP_HOURS must be 0 to 720 hours")?,
            None => file.webhook_secret_overlap_hours.unwrap_or(24),
        };
        let webhook_secret_overlap = time::Duration::hours(i64::from(overlap_hours));
        let log_format = match get("PARTNERLY_LOG_FORMAT", &file.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("PARTNERLY_LOG_FORMAT must be text or json, not {other:?}"),
        };
        let defaults = TrackingConfig::default();
        let number = |key: &str,
                      file_value: Option<u64>,
                      min: u64,
                      max: u64|
         -> anyhow::Result<Option<u64>> {
            match env(key) {
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .map(Some)
                    .with_context(|| format!("{key} must be a whole number from {min} to {max}")),
                None => Ok(file_value),
            }
        };
        let tracking = TrackingConfig {
            queue_capacity: number(
                "PARTNERLY_CLICK_QUEUE",
                file.click_queue.map(|n| n as u64),
                1,
                10_000_000,
            )?
            .map_or(defaults.queue_capacity, |n| n as usize),
            flush: number(
                "PARTNERLY_CLICK_FLUSH_MS",
                file.click_flush_ms,
                0,
                3_600_000,
            )?
            .map_or(defaults.flush, std::time::Duration::from_millis),
            refresh: number(
                "PARTNERLY_LINK_REFRESH_MS",
                file.link_refresh_ms,
                50,
                600_000,
            )?
            .map_or(defaults.refresh, std::time::Duration::from_millis),
            default_landing_url: get("PARTNERLY_DEFAULT_LANDING_URL", &file.default_landing_url)
                .map(|raw| {
                    partnerly_domain::text::LandingUrl::parse(&raw)
                        .map(|u| u.into_string())
                        .map_err(anyhow::Error::msg)
                        .context("PARTNERLY_DEFAULT_LANDING_URL")
                })
                .transpose()?,
        };
        let jwt_secret = jwt_secret(
            environment,
            &data_dir,
            get("PARTNERLY_JWT_SECRET", &file.jwt_secret),
        )?;

        Ok(Self {
            environment,
            data_dir,
            database_url,
            bind,
            public_url,
            jwt_secret,
            smtp,
            static_dir,
            trusted_proxies,
            db_pool_size,
            log_format,
            rate_limit_ip_factor,
            webhook_targets,
            webhook_secret_overlap,
            tracking,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

fn parse_bool(v: &str) -> anyhow::Result<bool> {
    match v {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("expected true or false, not {v:?}"),
    }
}

/// The secret from the configuration; in development, when unset, one generated once and
/// kept in `<data_dir>/jwt-secret` so sessions survive restarts. Production refuses to
/// start without a secret of at least [`MIN_SECRET_LEN`] bytes.
fn jwt_secret(
    environment: Environment,
    data_dir: &Path,
    configured: Option<String>,
) -> anyhow::Result<Vec<u8>> {
    match (configured, environment) {
        (Some(secret), Environment::Production) if secret.len() < MIN_SECRET_LEN => bail!(
            "PARTNERLY_JWT_SECRET is {} bytes long; production needs at least {MIN_SECRET_LEN} \
             (e.g. `openssl rand -base64 48`)",
            secret.len()
        ),
        (Some(secret), _) => Ok(secret.into_bytes()),
        (None, Environment::Production) => bail!(
            "PARTNERLY_JWT_SECRET is not set; production needs a secret of at least \
             {MIN_SECRET_LEN} bytes shared by every instance (e.g. `openssl rand -base64 48`)"
        ),
        (None, Environment::Development) => {
            let path = data_dir.join("jwt-secret");
            if let Ok(existing) = std::fs::read_to_string(&path)
                && existing.trim().len() >= MIN_SECRET_LEN
            {
                return Ok(existing.trim().as_bytes().to_vec());
            }
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            let secret =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 48]>());
            write_private(&path, &secret)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(secret.into_bytes())
        }
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_sources(|k| vars.get(k).cloned())
    }

    #[test]
    fn development_generates_a_secret_once_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let first = load(&[("PARTNERLY_DATA_DIR", data)]).unwrap();
        let second = load(&[("PARTNERLY_DATA_DIR", data)]).unwrap();
        assert!(first.jwt_secret.len() >= MIN_SECRET_LEN);
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert_eq!(
            first.database_url,
            format!("sqlite://{}/partnerly.db", data)
        );
    }

    #[test]
    fn trusted_proxies_apply_only_when_the_proxy_is_trusted_and_a_bad_list_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let off = load(&[("PARTNERLY_DATA_DIR", data)]).unwrap();
        assert_eq!(off.trusted_proxies, None);
        let default = load(&[
            ("PARTNERLY_DATA_DIR", data),
            ("PARTNERLY_TRUST_PROXY", "true"),
        ])
        .unwrap();
        assert_eq!(default.trusted_proxies, Some(TrustedProxies::default()));
        let listed = load(&[
            ("PARTNERLY_DATA_DIR", data),
            ("PARTNERLY_TRUST_PROXY", "true"),
            ("PARTNERLY_TRUSTED_PROXIES", "10.1.0.0/16"),
        ])
        .unwrap();
        assert_eq!(
            listed.trusted_proxies,
            Some(TrustedProxies::parse("10.1.0.0/16").unwrap())
        );
        let bad = load(&[
            ("PARTNERLY_DATA_DIR", data),
            ("PARTNERLY_TRUSTED_PROXIES", "lb.internal"),
        ]);
        assert!(bad.is_err());
    }

    #[test]
    fn production_refuses_a_missing_secret() {
        let err = load(&[("PARTNERLY_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("PARTNERLY_JWT_SECRET is not set"));
    }

    #[test]
    fn production_refuses_a_short_secret() {
        let err = load(&[
            ("PARTNERLY_ENV", "production"),
            ("PARTNERLY_JWT_SECRET", "short"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("at least 32"));
    }

    #[test]
    fn the_config_file_is_read_and_the_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("partnerly.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\npublic_url = \"https://partners.example.com/\"\n\
             jwt_secret = \"0123456789abcdef0123456789abcdef\"\nenv = \"production\"\n",
        )
        .unwrap();
        let config = load(&[
            ("PARTNERLY_CONFIG", file.to_str().unwrap()),
            ("PARTNERLY_BIND", "127.0.0.1:9001"),
        ])
        .unwrap();
        assert_eq!(config.bind, "127.0.0.1:9001");
        assert_eq!(config.public_url, "https://partners.example.com");
        assert_eq!(config.environment, Environment::Production);
    }

    #[test]
    fn unknown_settings_in_the_file_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("partnerly.toml");
        std::fs::write(&file, "bnid = \"typo\"\n").unwrap();
        assert!(load(&[("PARTNERLY_CONFIG", file.to_str().unwrap())]).is_err());
    }
}

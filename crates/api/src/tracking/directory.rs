//! The redirect's directory of codes: every link's code, link, membership and program,
//! and every program's landing settings, in memory, so that `/r/{code}` reads no
//! database.
//!
//! It stays correct across several instances sharing one database by polling: every
//! [`TrackingConfig::refresh`](crate::config::TrackingConfig) it reloads the links whose
//! `updated_at` is at or after its last poll less [`OVERLAP`] (a change committed late,
//! or stamped by an instance whose clock is a little behind, is still seen), and all
//! programs (few rows). A link created or disabled anywhere takes effect everywhere
//! within one refresh.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use partnerly_db::DbConn;
use partnerly_db::link::{DirectoryLink, Link};
use partnerly_db::program::Program;
use partnerly_domain::link::code_key;
use partnerly_domain::text::LandingUrl;
use partnerly_domain::tracking::{AttributionModel, checked_landing};
use time::PrimitiveDateTime;

/// How far back each poll looks before the previous one.
pub const OVERLAP: time::Duration = time::Duration::seconds(60);

/// A link as the redirect needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownLink {
    pub id: i64,
    /// As stored (the landing page gets this spelling).
    pub code: String,
    pub membership_id: i64,
    pub program_id: i64,
    pub enabled: bool,
}

/// A program's landing settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// The landing URL, checked against the allowed domains when loaded
    /// (`partnerly_domain::tracking::checked_landing`); `None`: it may not be a target.
    pub url: Option<url::Url>,
    /// Host names the redirect may send visitors to; never empty.
    pub allowed_domains: Vec<String>,
    pub window_days: i32,
    pub model: AttributionModel,
}

impl Landing {
    fn of(program: &Program) -> Self {
        let mut allowed_domains: Vec<String> = program
            .allowed_domains
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        // As when a program is saved: an empty list is the landing page's own host.
        if allowed_domains.is_empty()
            && let Ok(url) = LandingUrl::parse(&program.landing_url)
        {
            allowed_domains.push(url.host().to_owned());
        }
        Self {
            url: checked_landing(&program.landing_url, &allowed_domains),
            allowed_domains,
            window_days: program.attribution_window_days,
            model: program.attribution_model,
        }
    }
}

#[derive(Debug, Default)]
struct Snapshot {
    /// By [`code_key`].
    links: HashMap<String, Arc<KnownLink>>,
    programs: HashMap<i64, Arc<Landing>>,
    /// Where unknown codes land.
    fallback: Option<Arc<Landing>>,
    /// When the last poll began.
    polled_at: Option<PrimitiveDateTime>,
}

/// What a code leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// An enabled link and its program's landing settings.
    Link(Arc<KnownLink>, Arc<Landing>),
    /// A disabled link: its program's landing page, without attribution.
    Disabled(Arc<Landing>),
    /// No such code: the deployment's default landing page, if there is one.
    Unknown(Option<Arc<Landing>>),
}

/// The in-memory directory; cheap to read from many threads at once.
#[derive(Debug)]
pub struct Directory {
    snapshot: RwLock<Snapshot>,
    default_landing_url: Option<String>,
}

impl Directory {
    /// An empty directory; [`Directory::refresh`] fills it.
    pub fn new(default_landing_url: Option<String>) -> Self {
        Self {
            snapshot: RwLock::default(),
            default_landing_url,
        }
    }

    /// What `code` leads to.
    pub fn lookup(&self, code: &str) -> Lookup {
        let snapshot = self.snapshot.read().unwrap_or_else(|e| e.into_inner());
        match snapshot.links.get(&code_key(code)) {
            Some(link) => match snapshot.programs.get(&link.program_id) {
                Some(landing) if link.enabled => Lookup::Link(link.clone(), landing.clone()),
                Some(landing) => Lookup::Disabled(landing.clone()),
                None => Lookup::Unknown(snapshot.fallback.clone()),
            },
            None => Lookup::Unknown(snapshot.fallback.clone()),
        }
    }

    /// Whether `host` is one of the programs' allowed landing domains (the lead form's
    /// CORS rule).
    pub fn is_landing_host(&self, host: &str) -> bool {
        let snapshot = self.snapshot.read().unwrap_or_else(|e| e.into_inner());
        snapshot.programs.values().any(|p| {
            p.allowed_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(host))
        })
    }

    /// How many codes it knows.
    pub fn len(&self) -> usize {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .links
            .len()
    }

    /// Whether it knows no code.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads what changed since the last poll (everything on the first), with `now` the
    /// time this poll begins.
    pub fn refresh(&self, conn: &mut DbConn, now: PrimitiveDateTime) -> diesel::QueryResult<usize> {
        let since = self
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .polled_at
            .map(|at| at - OVERLAP);
        let changed = Link::directory_since(conn, since)?;
        let programs = Program::all(conn)?;
        let programs_by_id: HashMap<i64, Arc<Landing>> = programs
            .iter()
            .map(|p| (p.id, Arc::new(Landing::of(p))))
            .collect();
        let fallback = match &self.default_landing_url {
            Some(url) => LandingUrl::parse(url).ok().map(|parsed| {
                let allowed_domains = vec![parsed.host().to_owned()];
                Arc::new(Landing {
                    url: checked_landing(url, &allowed_domains),
                    allowed_domains,
                    window_days: 0,
                    model: AttributionModel::default(),
                })
            }),
            None => programs
                .iter()
                .min_by_key(|p| p.id)
                .map(|p| Arc::new(Landing::of(p))),
        };
        let count = changed.len();
        let mut snapshot = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        for DirectoryLink {
            id,
            code,
            membership_id,
            program_id,
            enabled,
            ..
        } in changed
        {
            snapshot.links.insert(
                code_key(&code),
                Arc::new(KnownLink {
                    id,
                    code,
                    membership_id,
                    program_id,
                    enabled,
                }),
            );
        }
        snapshot.programs = programs_by_id;
        snapshot.fallback = fallback;
        snapshot.polled_at = Some(now);
        Ok(count)
    }
}

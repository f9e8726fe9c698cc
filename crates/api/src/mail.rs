//! Email (I3, S5): templates, queueing into the outbox, and the sender that delivers
//! the outbox over SMTP when it is configured, on the shared worker loop
//! ([`crate::worker`]). Without SMTP (development), emails stay
//! in the outbox and admins read them at `GET /api/v1/admin/outbox`.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use partnerly_db::outbox::{NewOutboxEmail, OutboxEmail};
use partnerly_db::{DbConn, DbPool};
use tokio::sync::Notify;

use crate::config::SmtpConfig;
use crate::worker::{self, Backoff, Job, WorkError, Workers, with_conn};

/// How long a sender holds a claimed email before another may try it.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(2);
/// How often the sender looks for due emails when nobody wakes it.
const POLL_INTERVAL: Duration = Duration::from_secs(10);

/// An email ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// For an email that carries a secret (a reset link, later invitation and
    /// unsubscribe tokens): the body with the secret hidden, which is all the admin
    /// outbox shows once SMTP is configured, and all that is kept once it is sent.
    pub redacted_body: Option<String>,
}

impl Email {
    /// Queues the email in the caller's transaction.
    pub fn queue(&self, conn: &mut DbConn) -> diesel::QueryResult<()> {
        NewOutboxEmail::new(
            &self.to,
            &self.subject,
            &self.body,
            self.redacted_body.as_deref(),
            partnerly_db::now(),
        )
        .insert(conn)
    }
}

/// The password-reset email (P3). Its link is a secret: the redacted copy hides it.
pub fn password_reset(to: &str, first_name: &str, public_url: &str, token: &str) -> Email {
    let greeting = if first_name.is_empty() {
        "Hello".to_owned()
    } else {
        format!("Hello {first_name}")
    };
    let body = |link: &str| {
        format!(
            "{greeting},\n\n\
             Someone (we hope you) asked to reset the password of your partner account.\n\
             Open this link within one hour to choose a new password:\n\n\
             {link}\n\n\
             The link works once. If you did not ask for it, ignore this email: your \
             password stays as it is.\n"
        )
    };
    Email {
        to: to.to_owned(),
        subject: "Reset your Partnerly password".into(),
        body: body(&format!("{public_url}/reset-password?token={token}")),
        redacted_body: Some(body(&format!(
            "{public_url}/reset-password?token={HIDDEN_SECRET}"
        ))),
    }
}

/// The invitation a partner sends with their link (T4): their message, then the link.
pub fn invitation(partner_name: &str, message: &str, link_url: &str) -> (String, String) {
    let subject = format!("{partner_name} invites you");
    let message = if message.is_empty() {
        format!("{partner_name} thinks you will like this.")
    } else {
        message.to_owned()
    };
    let body = format!(
        "{message}\n\n{link_url}\n\n--\nYou get this email because {partner_name} entered \
         your address. Nobody will email you again unless someone invites you again.\n"
    );
    (subject, body)
}

/// What stands in for a secret in a redacted body.
pub const HIDDEN_SECRET: &str = "[hidden]";

/// The waits between attempts; the outbox keeps an email after
/// `partnerly_db::outbox::MAX_ATTEMPTS` (8) attempts, visible to admins.
pub const RETRY: Backoff = Backoff(&[
    time::Duration::seconds(30),
    time::Duration::minutes(2),
    time::Duration::minutes(10),
    time::Duration::minutes(30),
    time::Duration::hours(1),
    time::Duration::hours(2),
    time::Duration::hours(6),
]);

/// What the email sender needs: the outbox's pool, the SMTP settings (none: emails stay
/// in the outbox) and the signal that a transaction queued an email.
pub struct Sender {
    pub pool: DbPool,
    pub smtp: Option<SmtpConfig>,
    pub wake: Arc<Notify>,
}

/// Delivers the outbox over SMTP until the process stops. Returns at once when SMTP
/// is not configured.
pub async fn run_sender(sender: Sender) {
    let Sender { pool, smtp, wake } = sender;
    let Some(smtp) = smtp else {
        tracing::info!("SMTP not configured: emails stay in the outbox (GET /api/v1/admin/outbox)");
        return;
    };
    let transport = match transport(&smtp) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "invalid PARTNERLY_SMTP_URL; emails stay in the outbox");
            return;
        }
    };
    tracing::info!("delivering email over SMTP");
    let job = Outbox {
        pool,
        transport,
        from: smtp.from,
    };
    let workers = Workers {
        count: 1,
        wake,
        poll: POLL_INTERVAL,
    };
    worker::run(Arc::new(job), workers).await;
}

fn transport(
    smtp: &SmtpConfig,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)?
        .timeout(Some(Duration::from_secs(30)))
        .build())
}

/// The outbox as a [`Job`]: claim one due email, send it over SMTP, record the outcome.
struct Outbox {
    pool: DbPool,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
}

impl Job for Outbox {
    type Claimed = OutboxEmail;
    const NAME: &'static str = "email";

    async fn claim(&self) -> Result<Option<OutboxEmail>, WorkError> {
        with_conn(&self.pool, |conn| {
            Ok(OutboxEmail::claim_due(
                conn,
                partnerly_db::now(),
                CLAIM_LEASE,
            )?)
        })
        .await
    }

    async fn run(&self, email: OutboxEmail) -> Result<(), WorkError> {
        let outcome = match build_message(&email, &self.from) {
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let id = email.id;
        let attempts = email.attempts + 1;
        match &outcome {
            Ok(()) => tracing::info!(email.id = id, "email sent"),
            Err(e) => {
                tracing::warn!(email.id = id, email.attempts = attempts, error = %e, "email not sent")
            }
        }
        with_conn(&self.pool, move |conn| {
            let now = partnerly_db::now();
            match outcome {
                Ok(()) => OutboxEmail::mark_sent(conn, id, now)?,
                // Past the schedule the outbox no longer claims it (MAX_ATTEMPTS).
                Err(e) => {
                    let retry_at = now + RETRY.after(attempts).unwrap_or(time::Duration::ZERO);
                    OutboxEmail::mark_failed(conn, id, &e, retry_at)?
                }
            }
            Ok(())
        })
        .await
    }
}

fn build_message(email: &OutboxEmail, from: &str) -> Result<Message, String> {
    Message::builder()
        .from(
            from.parse()
                .map_err(|e| format!("invalid From address {from:?}: {e}"))?,
        )
        .to(email
            .to_address
            .parse()
            .map_err(|e| format!("invalid recipient: {e}"))?)
        .subject(email.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| e.to_string())
}

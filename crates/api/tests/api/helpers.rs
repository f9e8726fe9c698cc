//! `TestApp`: one running Partnerly per test, and helpers to talk to it.

use std::collections::HashMap;
use std::net::TcpListener;

use diesel::Connection;
use diesel::pg::PgConnection;
use diesel::{ExpressionMethods, RunQueryDsl};
use partnerly_api::config::Config;
use partnerly_api::state::AppState;
use partnerly_db::{DbConn, DbUrl, run_migrations};
use partnerly_domain::account::Role;
use partnerly_domain::auth::AuthResponse;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A password that passes the rules, used by most tests.
pub const PASSWORD: &str = "correct horse battery";

/// A running server and what a test needs to reach it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The database this server uses; [`TestApp::second_instance`] shares it.
    pub database_url: String,
    _data_dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

/// A response read fully: status, headers, JSON body (Null when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The refresh token from `Set-Cookie`, if one was set (an empty value means removed).
    pub fn refresh_cookie(&self) -> Option<String> {
        self.headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("partnerly_refresh="))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
    }

    /// The error code of an error body.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }

    /// The message of an error body.
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }

    /// The message for `field` in a validation error.
    pub fn field_error(&self, field: &str) -> Option<&str> {
        self.body["details"]["fields"][field].as_str()
    }

    /// The body as an auth response.
    pub fn auth(&self) -> AuthResponse {
        serde_json::from_value(self.body.clone()).expect("an AuthResponse body")
    }
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub auth: AuthResponse,
}

impl TestApp {
    /// Starts Partnerly on a fresh database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Starts Partnerly with extra environment settings.
    pub async fn spawn_with(extra: &[(&str, String)]) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let (database_url, postgres) = match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let admin_url = without_tls(&admin_url);
                let name = format!("partnerly_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin =
                    PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL reachable");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                (
                    without_tls(&format!("{base}/{name}")),
                    Some((admin_url, name)),
                )
            }
            _ => (
                format!("sqlite://{}", data_dir.path().join("test.db").display()),
                None,
            ),
        };
        Self::start(data_dir, database_url, postgres, extra).await
    }

    /// Another server instance on this one's database, as behind a load balancer.
    pub async fn second_instance(&self, extra: &[(&str, String)]) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start(data_dir, self.database_url.clone(), None, extra).await
    }

    async fn start(
        data_dir: tempfile::TempDir,
        database_url: String,
        postgres: Option<(String, String)>,
        extra: &[(&str, String)],
    ) -> TestApp {
        let mut vars: HashMap<String, String> = HashMap::from([
            (
                "PARTNERLY_DATA_DIR".into(),
                data_dir.path().display().to_string(),
            ),
            ("DATABASE_URL".into(), database_url.clone()),
            (
                "PARTNERLY_JWT_SECRET".into(),
                "test-secret-0123456789abcdef-0123456789".into(),
            ),
            ("PARTNERLY_PUBLIC_URL".into(), "http://portal.test".into()),
            (
                "PARTNERLY_STATIC_DIR".into(),
                data_dir.path().join("dist").display().to_string(),
            ),
            ("PARTNERLY_DB_POOL_SIZE".into(), "4".into()),
            // The tests' webhook receivers listen on this machine.
            (
                "PARTNERLY_WEBHOOK_ALLOW_NETWORKS".into(),
                "127.0.0.0/8".into(),
            ),
        ]);
        for (k, v) in extra {
            vars.insert((*k).to_owned(), v.clone());
        }
        let config = Config::from_sources(|k| vars.get(k).cloned()).expect("config");
        let url = DbUrl::parse(&database_url).expect("url");
        let pool = url.pool(4).expect("pool");
        run_migrations(&mut pool.get().expect("conn")).expect("migrations");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (server, state) = partnerly_api::server::start(config, pool, listener).expect("server");
        actix_web::rt::spawn(server);
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            state,
            database_url,
            _data_dir: data_dir,
            postgres,
        }
    }

    /// A pooled connection to the test's database.
    /// A customer as stored, by the vendor's id.
    pub fn stored_customer(&self, external_id: &str) -> partnerly_db::customer::Customer {
        partnerly_db::customer::Customer::by_external_id(&mut self.db(), external_id)
            .expect("query")
            .expect("the customer is stored")
    }

    pub fn db(&self) -> partnerly_db::PooledConn {
        self.state.pool.get().expect("db connection")
    }

    /// Sends a request and reads the whole reply.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `POST` JSON to an API path (`/api/v1/...`).
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    /// `POST` JSON with a bearer token.
    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Reply {
        self.send(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    /// `PATCH` JSON with a bearer token.
    pub async fn patch_as(&self, token: &str, path: &str, body: &Value) -> Reply {
        self.send(
            self.client
                .patch(self.url(path))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    /// `GET` with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.send(self.client.get(self.url(path)).bearer_auth(token))
            .await
    }

    /// `DELETE` with a bearer token.
    pub async fn delete_as(&self, token: &str, path: &str) -> Reply {
        self.send(self.client.delete(self.url(path)).bearer_auth(token))
            .await
    }

    /// `GET` without credentials.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    /// `POST` with only the refresh cookie (refresh, logout).
    pub async fn post_with_cookie(&self, path: &str, refresh_token: &str) -> Reply {
        self.send(self.client.post(self.url(path)).header(
            reqwest::header::COOKIE,
            format!("partnerly_refresh={refresh_token}"),
        ))
        .await
    }

    /// The absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Signs up a partner and returns the session (asserts 201).
    pub async fn signup(&self, name: &str, email: &str) -> Session {
        let reply = self
            .post(
                "/api/v1/auth/signup",
                &json!({"name": name, "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        session(&reply)
    }

    /// Signs in and returns the session (asserts 200).
    pub async fn login(&self, email: &str, password: &str) -> Session {
        let reply = self
            .post(
                "/api/v1/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        session(&reply)
    }

    /// Creates a staff account directly in the database and signs it in.
    pub async fn staff(&self, role: Role, email: &str) -> Session {
        let hash = partnerly_api::auth::password::hash(PASSWORD).expect("hash");
        partnerly_api::seed::create_staff(&mut self.db(), email, role, &hash).expect("staff");
        self.login(email, PASSWORD).await
    }

    /// The outbox emails sent to `to`, newest first, as an admin reads them.
    pub async fn outbox_for(&self, admin: &Session, to: &str) -> Vec<Value> {
        let reply = self
            .get_as(
                &admin.access_token,
                &format!("/api/v1/admin/outbox?to={to}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body["items"].as_array().cloned().unwrap_or_default()
    }

    /// Waits (up to 5 s) until `to` has at least `count` emails, and returns them.
    pub async fn wait_for_emails(&self, admin: &Session, to: &str, count: usize) -> Vec<Value> {
        for _ in 0..100 {
            let emails = self.outbox_for(admin, to).await;
            if emails.len() >= count {
                return emails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{to} did not receive {count} email(s) in time");
    }

    /// Asks for a reset link for `email`, reads it from the outbox as `admin` (the
    /// newest email must be the link) and sets `new_password` with it: the confirm reply.
    pub async fn reset_password(&self, admin: &Session, email: &str, new_password: &str) -> Reply {
        let before = self.outbox_for(admin, email).await.len();
        let asked = self
            .post("/api/v1/auth/password-reset", &json!({"email": email}))
            .await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.body);
        let emails = self.wait_for_emails(admin, email, before + 1).await;
        self.post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": reset_token(&emails[0]), "password": new_password}),
        )
        .await
    }

    /// Creates an API key with `scopes` as `admin` and returns its secret. Each key gets
    /// its own name, and so its own owner (events are idempotent per owner); use
    /// [`TestApp::api_key_with_owner`] for keys that share one.
    pub async fn api_key(&self, admin: &Session, scopes: &[&str]) -> String {
        let name = format!("Test key {}", uuid::Uuid::new_v4().simple());
        self.create_api_key(admin, &json!({"name": name, "scopes": scopes}))
            .await
    }

    /// Creates an API key of `owner` with `scopes` as `admin` and returns its secret.
    pub async fn api_key_with_owner(
        &self,
        admin: &Session,
        owner: &str,
        scopes: &[&str],
    ) -> String {
        let name = format!("{owner} {}", uuid::Uuid::new_v4().simple());
        self.create_api_key(
            admin,
            &json!({"name": name, "owner": owner, "scopes": scopes}),
        )
        .await
    }

    async fn create_api_key(&self, admin: &Session, body: &Value) -> String {
        let reply = self
            .post_as(&admin.access_token, "/api/v1/admin/api-keys", body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body["secret"]
            .as_str()
            .expect("the key's secret")
            .to_owned()
    }

    /// Runs raw SQL on the test database (to age tokens, for example).
    pub fn execute(&self, sql: &str) {
        let mut conn = self.db();
        let conn: &mut DbConn = &mut conn;
        diesel::sql_query(sql).execute(conn).expect("sql");
    }
}

/// The session carried by a sign-up / sign-in / refresh reply.
pub fn session(reply: &Reply) -> Session {
    let auth = reply.auth();
    Session {
        access_token: auth.access_token.clone(),
        refresh_token: reply.refresh_cookie().expect("a refresh cookie"),
        auth,
    }
}

/// The reset token inside a reset email's body.
pub fn reset_token(email: &Value) -> String {
    let body = email["body"].as_str().expect("body");
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The test databases are reached over loopback without TLS. With TLS libpq loads
/// OpenSSL, whose exit-time cleanup races with the pool's threads, which are still
/// reconnecting to the dropped database while the test process exits: now and then the
/// process then aborted with "double free or corruption" after its test had passed.
fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take()
            && let Ok(mut admin) = PgConnection::establish(&admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// Vendor-side helpers: API keys, events, jobs.
impl TestApp {
    /// An API key for `owner` with `scopes`, inserted directly (the admin routes for keys
    /// have their own tests).
    pub fn insert_api_key(&self, owner: &str, scopes: &str) -> String {
        use partnerly_db::schema::api_keys::dsl as k;
        let secret = format!("pk_live_{}", uuid::Uuid::new_v4().simple());
        let mut conn = self.db();
        let conn: &mut DbConn = &mut conn;
        diesel::insert_into(k::api_keys)
            .values((
                k::name.eq(owner),
                k::owner.eq(owner),
                k::prefix.eq(&secret[..12]),
                k::key_hash.eq(partnerly_api::auth::tokens::digest(&secret)),
                k::scopes.eq(scopes),
                k::created_at.eq(partnerly_db::now()),
            ))
            .execute(conn)
            .expect("api key");
        secret
    }

    /// A key with `events:write` for the vendor's billing.
    pub fn billing_key(&self) -> String {
        self.insert_api_key("billing", "events:write")
    }

    /// Sends one event with a key.
    pub async fn event(&self, key: &str, event: &Value) -> Reply {
        self.send(
            self.client
                .post(self.url("/api/v1/events"))
                .bearer_auth(key)
                .json(event),
        )
        .await
    }

    /// Sends `events` as one batch with a key.
    pub async fn batch(&self, key: &str, events: &[Value]) -> Reply {
        self.send(
            self.client
                .post(self.url("/api/v1/events/batch"))
                .bearer_auth(key)
                .json(&json!({ "events": events })),
        )
        .await
    }

    /// Sends one event and asserts it was applied (or deferred).
    pub async fn applied(&self, key: &str, event: &Value) -> Value {
        let reply = self.event(key, event).await;
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::ACCEPTED,
            "{event}: {} {:?}",
            reply.status,
            reply.body
        );
        reply.body
    }

    /// Releases every commission due at `now` (the hold-release job, run by hand).
    pub fn release_due_at(&self, now: time::OffsetDateTime) -> usize {
        let mut conn = self.db();
        partnerly_engine::commissions::release_due(&mut conn, partnerly_db::to_db(now))
            .expect("release job")
    }

    /// Ada, a partner, and her referred customer `cus_1` (signed up with her code as
    /// event `e1`): the opening of most commission scenarios.
    pub async fn partner_with_customer(&self, key: &str) -> Session {
        let partner = self.signup("Ada Lovelace", "ada@example.com").await;
        let code = self.default_code(&partner).await;
        self.applied(key, &signed_up("e1", "cus_1", Some(&code)))
            .await;
        partner
    }

    /// The partner's default referral code.
    pub async fn default_code(&self, partner: &Session) -> String {
        let links = self.get_as(&partner.access_token, "/api/v1/links").await;
        assert_eq!(links.status, StatusCode::OK, "{:?}", links.body);
        links.body["items"]
            .as_array()
            .and_then(|items| items.iter().find(|l| l["is_default"] == true))
            .and_then(|l| l["code"].as_str())
            .expect("a default link")
            .to_owned()
    }
}

/// A `customer.signed_up` event.
pub fn signed_up(id: &str, customer: &str, ref_code: Option<&str>) -> Value {
    json!({"id": id, "type": "customer.signed_up", "occurred_at": "2026-11-01T10:00:00Z",
           "data": {"customer_id": customer, "email": format!("{customer}@client.example"), "ref_code": ref_code}})
}

/// A `payment.succeeded` event.
pub fn paid(id: &str, payment: &str, customer: &str, amount: &str, paid_at: &str) -> Value {
    json!({"id": id, "type": "payment.succeeded", "occurred_at": paid_at,
           "data": {"payment_id": payment, "customer_id": customer, "amount": amount, "currency": "USD",
                    "paid_at": paid_at}})
}

/// A `payment.refunded` event.
pub fn refunded(id: &str, payment: &str, amount: &str) -> Value {
    json!({"id": id, "type": "payment.refunded", "occurred_at": "2026-11-20T10:00:00Z",
           "data": {"payment_id": payment, "amount": amount}})
}

/// Staff-side helpers: deletes, the audit log, ids.
impl TestApp {
    /// The audit entries recorded under `action`, newest first.
    pub fn audit_log(&self, action: &str) -> Vec<partnerly_db::audit::AuditEntry> {
        let mut conn = self.db();
        let filter = partnerly_db::audit::AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        };
        partnerly_db::audit::AuditEntry::list(&mut conn, &filter, 0, 100)
            .expect("audit log")
            .0
    }

    /// The id of the partner's first membership (the default program's).
    pub async fn membership_id(&self, partner: &Session) -> i64 {
        let programs = self
            .get_as(&partner.access_token, "/api/v1/me/programs")
            .await;
        assert_eq!(programs.status, StatusCode::OK, "{:?}", programs.body);
        programs.body["items"][0]["id"]
            .as_i64()
            .expect("a membership")
    }

    /// The id of the default program (the only one a fresh installation has).
    pub async fn default_program_id(&self, manager: &Session) -> i64 {
        let programs = self
            .get_as(&manager.access_token, "/api/v1/admin/programs")
            .await;
        assert_eq!(programs.status, StatusCode::OK, "{:?}", programs.body);
        programs.body["items"][0]["id"].as_i64().expect("a program")
    }
}

/// A partner's public id, as staff routes take it.
pub fn public_id(partner: &Session) -> String {
    partner
        .auth
        .account
        .public_id
        .expect("a partner has a public id")
        .to_string()
}

/// The JSON an audit entry keeps of an object (`Null` when there is none).
pub fn json_of(raw: &Option<String>) -> Value {
    raw.as_deref()
        .map(|s| serde_json::from_str(s).expect("audit JSON"))
        .unwrap_or(Value::Null)
}

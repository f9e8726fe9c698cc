//! The `partnerly` binary's commands, run as a separate process.

use std::process::Command;

fn partnerly(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_partnerly"));
    cmd.env_clear()
        .env("PARTNERLY_DATA_DIR", data_dir)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/cli.db", data_dir.display()),
        )
        .env("PARTNERLY_LOG", "warn");
    cmd
}

#[test]
fn create_admin_prints_a_generated_password_that_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let output = partnerly(dir.path())
        .args([
            "create-admin",
            "--email",
            "Boss@Example.com",
            "--role",
            "finance",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("Created finance account boss@example.com"),
        "{stdout}"
    );
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("a generated password");
    assert!(password.len() >= 16);

    let mut conn = partnerly_db::DbUrl::parse(&format!("sqlite://{}/cli.db", dir.path().display()))
        .unwrap()
        .connect()
        .unwrap();
    let user = partnerly_db::user::User::find_by_email(&mut conn, "boss@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(user.role, partnerly_domain::account::Role::Finance);
    assert!(partnerly_api::auth::password::verify(
        password,
        &user.password_hash
    ));
}

#[test]
fn create_admin_takes_the_password_from_the_environment_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        partnerly(dir.path())
            .env("PARTNERLY_ADMIN_PASSWORD", "staff passphrase 1")
            .args(["create-admin", "--email", "boss@example.com"])
            .output()
            .unwrap()
    };
    let first = run();
    let said = |o: &std::process::Output| {
        format!(
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(first.status.success(), "{}", said(&first));
    assert!(
        !String::from_utf8_lossy(&first.stdout).contains("Password:"),
        "{}",
        said(&first)
    );
    let second = run();
    assert!(!second.status.success(), "{}", said(&second));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("exists"),
        "{}",
        said(&second)
    );
}

#[test]
fn seed_demo_is_idempotent_and_prints_the_logins() {
    let dir = tempfile::tempdir().unwrap();
    for expected in ["5 accounts created", "0 accounts created"] {
        let output = partnerly(dir.path()).arg("seed-demo").output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(expected), "{stdout}");
        assert!(
            stdout.contains("partner@demo.partnerly.dev / demo partner 2026"),
            "{stdout}"
        );
    }
}

#[test]
fn production_refuses_to_start_without_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let output = partnerly(dir.path())
        .env("PARTNERLY_ENV", "production")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PARTNERLY_JWT_SECRET"));
}

#[test]
fn the_openapi_command_prints_the_committed_document() {
    let output = Command::new(env!("CARGO_BIN_EXE_partnerly"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/openapi.json"
    ))
    .expect("openapi/openapi.json exists (run `just openapi`)");
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "openapi/openapi.json is stale: run `just openapi` and commit it"
    );
}

#[actix_web::test]
async fn sigterm_stores_the_clicks_still_queued() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The writer would wait ten minutes to fill a batch: only the drain stores them.
    let mut child = partnerly(dir.path())
        .env("PARTNERLY_BIND", format!("127.0.0.1:{port}"))
        .env("PARTNERLY_STATIC_DIR", dir.path().join("none"))
        .env("PARTNERLY_CLICK_FLUSH_MS", "600000")
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start");
    let signup: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&serde_json::json!({"name": "Ada", "email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signup["access_token"]
        .as_str()
        .expect("a session")
        .to_owned();
    let links: serde_json::Value = client
        .get(format!("{base}/api/v1/links"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = links["items"][0]["code"].as_str().unwrap().to_owned();
    for i in 0..5 {
        let response = client
            .get(format!("{base}/r/{code}"))
            .header("user-agent", format!("Mozilla/5.0 Firefox/130.{i}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
    let url =
        partnerly_db::DbUrl::parse(&format!("sqlite://{}/cli.db", dir.path().display())).unwrap();
    let mut conn = url.pool(1).unwrap().get().unwrap();
    assert_eq!(partnerly_db::click::Click::count(&mut conn).unwrap(), 5);
}

#[actix_web::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    // A real process, so the signal handling is the binary's own.
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = partnerly(dir.path())
        .env("PARTNERLY_BIND", format!("127.0.0.1:{port}"))
        .env("PARTNERLY_STATIC_DIR", dir.path().join("none"))
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start");
    // Sign-up hashes a password: a request that is still running when the signal lands.
    let request = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&serde_json::json!({"name": "Ada", "email": "ada@example.com", "password": "correct horse battery"}))
        .send();
    let pid = child.id().to_string();
    let signal = async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    };
    let (response, ()) = tokio::join!(request, signal);
    assert_eq!(
        response.expect("the in-flight request completes").status(),
        201
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}

/// A data folder with the demo's accounts and activity.
fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("data folder");
    assert!(
        partnerly(dir.path())
            .arg("seed-demo")
            .output()
            .expect("seed-demo runs")
            .status
            .success()
    );
    dir
}

#[test]
fn ledger_check_passes_on_the_demo_data_and_reports_a_tampered_ledger() {
    let dir = seeded();
    let ok = partnerly(dir.path()).arg("ledger-check").output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("every invariant holds"));

    // Someone edits a transfer by hand: the check notices.
    let mut conn = partnerly_db::DbUrl::parse(&format!("sqlite://{}/cli.db", dir.path().display()))
        .unwrap()
        .connect()
        .unwrap();
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE ledger_transfers SET amount_minor = amount_minor + 1 WHERE id = 1",
        ),
        &mut conn,
    )
    .unwrap();
    let bad = partnerly(dir.path()).arg("ledger-check").output().unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("PROBLEM: commission"),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
}

#[test]
fn ledger_check_recounts_the_dashboard_rollups_and_rebuilds_them() {
    let dir = seeded();
    let mut conn = partnerly_db::DbUrl::parse(&format!("sqlite://{}/cli.db", dir.path().display()))
        .unwrap()
        .connect()
        .unwrap();
    assert_eq!(
        partnerly_db::figures::differences(&mut conn).unwrap(),
        Vec::<String>::new(),
        "the demo's activity went through the engine, which kept the rollups"
    );
    // Rows changed by hand: each rollup disagrees with its recount.
    for sql in [
        "UPDATE membership_customer_figures SET paying = paying + 1 \
         WHERE rowid = (SELECT MIN(rowid) FROM membership_customer_figures)",
        "UPDATE membership_sales_figures SET payments = payments + 2 \
         WHERE rowid = (SELECT MIN(rowid) FROM membership_sales_figures)",
        "DELETE FROM daily_earnings WHERE rowid = (SELECT MIN(rowid) FROM daily_earnings)",
    ] {
        diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap();
    }
    let found = partnerly_db::figures::differences(&mut conn).unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    for (problem, name) in found
        .iter()
        .zip(["customer figures", "sales figures", "daily earnings"])
    {
        assert!(problem.starts_with(name), "{problem}");
    }
    assert!(found[0].contains("stored [") && found[0].contains("counted ["));
    let bad = partnerly(dir.path()).arg("ledger-check").output().unwrap();
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(out.matches("PROBLEM: ").count(), 3, "{out}");

    let repaired = partnerly(dir.path())
        .args(["ledger-check", "--rebuild-rollups"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&repaired.stdout);
    assert!(repaired.status.success(), "{out}");
    assert!(
        out.contains("Rollups rebuilt") && out.contains("every invariant holds"),
        "{out}"
    );
    assert_eq!(
        partnerly_db::figures::differences(&mut conn).unwrap(),
        Vec::<String>::new()
    );
}

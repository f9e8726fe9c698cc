//! What a vendor's site needs from Partnerly, and a demo of it:
//! - `GET /js/partnerly.js`, the vendor-site script (T8; `assets/partnerly.js`);
//! - `GET /demo/landing`, a small vendor page that `seed-demo` makes the demo programs'
//!   landing page, so a new user can follow their own link and watch the click, the
//!   lead and the deal arrive: it says which partner the visitor came from and carries a
//!   "Contact us" form sent by the script.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use partnerly_db::link::Link;
use partnerly_db::membership::Membership;
use partnerly_db::user::User;
use serde::Deserialize;

use crate::state::AppState;

const SCRIPT: &str = include_str!("../../assets/partnerly.js");

/// Registers the script and the demo page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/js/partnerly.js", web::get().to(script))
        .route("/demo/landing", web::get().to(landing));
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(SCRIPT)
}

#[derive(Debug, Deserialize)]
struct LandingQuery {
    #[serde(rename = "ref")]
    ref_code: Option<String>,
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Who referred the visitor: the partner's name and the link's label.
fn referrer(state: &AppState, code: &str) -> Option<(String, String)> {
    let mut conn = state.pool.get().ok()?;
    let link = Link::by_code(&mut conn, code).ok()??;
    let membership = Membership::find(&mut conn, link.membership_id).ok()??;
    let user = User::find(&mut conn, membership.user_id).ok()??;
    Some((user.to_account().display_name(), link.label))
}

async fn landing(state: web::Data<AppState>, query: web::Query<LandingQuery>) -> HttpResponse {
    let code = query
        .ref_code
        .clone()
        .filter(|c| !c.is_empty() && c.len() <= 40);
    let state = state.into_inner();
    let who = match code {
        Some(code) => web::block(move || referrer(&state, &code))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let greeting = match who {
        Some((name, label)) => format!(
            "<p class=\"referral\">You were referred by <strong>{}</strong>{}.</p>",
            escape(&name),
            if label.is_empty() {
                String::new()
            } else {
                format!(" (link “{}”)", escape(&label))
            }
        ),
        None => "<p class=\"referral\">You came without a referral link.</p>".to_owned(),
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vendor (demo landing page)</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }}
label {{ display: block; margin-top: .75rem; font-weight: 600; }}
input, textarea {{ width: 100%; padding: .5rem; font: inherit; box-sizing: border-box; }}
button {{ margin-top: 1rem; padding: .6rem 1.2rem; font: inherit; }}
.hp {{ position: absolute; left: -10000px; }}
.referral {{ background: #eef6ff; padding: .75rem 1rem; border-radius: .5rem; }}
</style>
<script src="/js/partnerly.js" defer></script>
</head>
<body>
<main>
<h1>Vendor</h1>
<p>This is Partnerly's demo of a vendor's landing page: what partners' links lead to.</p>
{greeting}
<h2>Contact us</h2>
<form data-partnerly-lead aria-label="Contact us">
<label for="name">Name</label><input id="name" name="name" required maxlength="100" autocomplete="name">
<label for="email">Email</label><input id="email" name="email" type="email" required maxlength="254" autocomplete="email">
<label for="company">Company</label><input id="company" name="company" maxlength="100" autocomplete="organization">
<label for="message">Message</label><textarea id="message" name="message" rows="4" maxlength="5000"></textarea>
<div class="hp" aria-hidden="true"><label for="website">Website</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send</button>
<p data-partnerly-status role="status"></p>
</form>
</main>
</body>
</html>
"#
        ))
}

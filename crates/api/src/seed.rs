//! `partnerly seed-demo`: programs shaped like the seed programs' rules, staff, and
//! partners with customers, payments, refunds and commissions in every state, so the
//! dashboard is alive on a first run. Running it again changes nothing.
//!
//! Activity goes through the same `partnerly_engine::commissions::ingest` the events API uses, so the demo
//! ledger is built by the real rules.

use partnerly_db::level::{Level, NewLevel};
use partnerly_db::link::Link;
use partnerly_db::membership::{Membership, MembershipChanges};
use partnerly_db::program::{NewProgram, Program};
use partnerly_db::user::{CreateUserError, NewUser, User};
use partnerly_db::{DbConn, write_transaction};
use partnerly_domain::account::Role;
use partnerly_domain::event::EventEnvelope;
use partnerly_domain::level::{DurationKind, ThresholdKind, Track};
use partnerly_domain::level_settings::BonusTrigger;
use partnerly_domain::membership::LevelChangeReason;
use partnerly_domain::program::PayoutSchedule;
use partnerly_domain::tracking::AttributionModel;
use partnerly_engine::commissions::{Batch, CommissionError, ingest, release_due};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::auth::{password, tokens};

/// The demo accounts: (role, email, password, first name, last name).
pub const DEMO_ACCOUNTS: [(Role, &str, &str, &str, &str); 5] = [
    (
        Role::Partner,
        "partner@demo.partnerly.dev",
        "demo partner 2026",
        "Dana",
        "Reyes",
    ),
    (
        Role::Partner,
        "integrator@demo.partnerly.dev",
        "demo integrator 2026",
        "Ivan",
        "Petrov",
    ),
    (
        Role::Admin,
        "admin@demo.partnerly.dev",
        "demo admin 2026",
        "Alex",
        "Admin",
    ),
    (
        Role::Finance,
        "finance@demo.partnerly.dev",
        "demo finance 2026",
        "Fran",
        "Ledger",
    ),
    (
        Role::Manager,
        "manager@demo.partnerly.dev",
        "demo manager 2026",
        "Mia",
        "Manager",
    ),
];

/// A level of a demo program.
struct LevelSpec {
    position: i32,
    name: &'static str,
    track: Track,
    flat_minor: Option<i64>,
    percent: Option<&'static str>,
    /// `None`: first payment only; `Some(0)`: lifetime; `Some(n)`: n months.
    months: Option<i32>,
    client_bonus_minor: Option<i64>,
    /// Paying customers that promote a partner to this level.
    paying_customers: Option<i64>,
}

/// A Worksection-style program: referral levels Iron and Bronze, integrator levels
/// Silver, Gold and Platinum (USD minor units).
const REFERRAL_LEVELS: [LevelSpec; 5] = [
    LevelSpec {
        position: 1,
        name: "Iron",
        track: Track::Referral,
        flat_minor: Some(2_500),
        percent: None,
        months: None,
        client_bonus_minor: Some(2_500),
        paying_customers: None,
    },
    LevelSpec {
        position: 2,
        name: "Bronze",
        track: Track::Referral,
        flat_minor: None,
        percent: Some("20"),
        months: Some(12),
        client_bonus_minor: None,
        paying_customers: Some(3),
    },
    LevelSpec {
        position: 3,
        name: "Silver",
        track: Track::Integrator,
        flat_minor: None,
        percent: Some("20"),
        months: Some(12),
        client_bonus_minor: None,
        paying_customers: None,
    },
    LevelSpec {
        position: 4,
        name: "Gold",
        track: Track::Integrator,
        flat_minor: None,
        percent: Some("25"),
        months: Some(12),
        client_bonus_minor: None,
        paying_customers: Some(10),
    },
    LevelSpec {
        position: 5,
        name: "Platinum",
        track: Track::Integrator,
        flat_minor: None,
        percent: Some("30"),
        months: Some(12),
        client_bonus_minor: None,
        paying_customers: Some(25),
    },
];

/// The official-partner program: 35% for life, in EUR.
const OFFICIAL_LEVELS: [LevelSpec; 1] = [LevelSpec {
    position: 1,
    name: "Official",
    track: Track::Referral,
    flat_minor: None,
    percent: Some("35"),
    months: Some(0),
    client_bonus_minor: None,
    paying_customers: None,
}];

/// Creates what is missing of the demo: programs, accounts, memberships and activity.
/// The programs land on Partnerly's own demo vendor page (`{public_url}/demo/landing`),
/// so the demo's links work on first run. Returns how many accounts were created.
pub fn seed_demo(conn: &mut DbConn, public_url: &str) -> anyhow::Result<usize> {
    seed_programs(conn, public_url)?;
    let created = seed_accounts(conn)?;
    seed_activity(conn)?;
    Ok(created)
}

struct ProgramSpec {
    name: &'static str,
    currency: &'static str,
    window: i32,
    payout_schedule: PayoutSchedule,
    /// The path of the landing page on Partnerly's demo vendor page.
    landing_path: &'static str,
    rules: &'static str,
    self_signup: bool,
    levels: &'static [LevelSpec],
}

const PROGRAMS: [ProgramSpec; 2] = [
    ProgramSpec {
        name: "Referral program",
        currency: "USD",
        window: 14,
        payout_schedule: PayoutSchedule::OnRequest,
        landing_path: "/demo/landing",
        rules: "Iron: $25 for every new client's first payment, and the client gets $25 too. \
                Bronze (from 3 paying clients): 20% of every payment for 12 months. Integrators \
                earn 20% (Silver), 25% (Gold, from 10 paying clients) or 30% (Platinum, from \
                25). Commissions become available 31 days after the client's payment; the \
                minimum payout is $50.",
        self_signup: true,
        levels: &REFERRAL_LEVELS,
    },
    ProgramSpec {
        name: "Official partners",
        currency: "EUR",
        window: 30,
        payout_schedule: PayoutSchedule::Monthly,
        landing_path: "/demo/landing?program=official",
        rules: "Official partners earn 35% of every payment of their clients for as long as the \
                clients pay. Payouts at the end of each month from 50 EUR.",
        self_signup: false,
        levels: &OFFICIAL_LEVELS,
    },
];

fn seed_programs(conn: &mut DbConn, public_url: &str) -> anyhow::Result<()> {
    let now = partnerly_db::now();
    let host = partnerly_domain::text::LandingUrl::parse(public_url)
        .map_err(anyhow::Error::msg)?
        .host()
        .to_owned();
    let existing: Vec<String> = Program::all(conn)?.into_iter().map(|p| p.name).collect();
    write_transaction(conn, |conn| -> anyhow::Result<()> {
        for spec in &PROGRAMS {
            if existing.iter().any(|n| n == spec.name) {
                continue;
            }
            let program = NewProgram {
                name: spec.name.into(),
                currency: spec.currency.into(),
                attribution_window_days: spec.window,
                hold_days: 31,
                minimum_payout_minor: 5_000,
                payout_schedule: spec.payout_schedule,
                landing_url: format!("{public_url}{}", spec.landing_path),
                allowed_domains: host.clone(),
                rules_text: spec.rules.into(),
                self_signup: spec.self_signup,
                created_at: now,
                updated_at: now,
                attribution_model: AttributionModel::LastClick,
            }
            .insert(conn)?;
            for level in spec.levels {
                NewLevel {
                    program_id: program.id,
                    position: level.position,
                    name: level.name.into(),
                    track: level.track,
                    flat_minor: level.flat_minor,
                    percent: level.percent.map(str::to_owned),
                    duration_kind: match level.months {
                        None => DurationKind::FirstPayment,
                        Some(0) => DurationKind::Lifetime,
                        Some(_) => DurationKind::Months,
                    },
                    duration_months: level.months.filter(|m| *m > 0),
                    bonus_minor: level.client_bonus_minor,
                    bonus_trigger: level.client_bonus_minor.map(|_| BonusTrigger::FirstPayment),
                    threshold_kind: level
                        .paying_customers
                        .map(|_| ThresholdKind::PayingCustomers),
                    threshold_value: level.paying_customers,
                    created_at: now,
                    updated_at: now,
                }
                .insert(conn)?;
            }
        }
        Ok(())
    })
}

/// Creates the demo accounts that are missing and enrols the partners.
fn seed_accounts(conn: &mut DbConn) -> anyhow::Result<usize> {
    let mut created = 0;
    for (role, email, pass, first, last) in DEMO_ACCOUNTS {
        if User::find_by_email(conn, email)?.is_some() {
            continue;
        }
        let hash = password::hash(pass).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        write_transaction(conn, |conn| -> anyhow::Result<()> {
            let now = partnerly_db::now();
            let mut new = NewUser::partner(email, &hash, first, last, now);
            if role != Role::Partner {
                new.partner_kind = None;
                new.role = role;
            }
            let user = match new.insert(conn, || {
                rand::random_range(partnerly_domain::public_id::NUMBER_RANGE)
            }) {
                Ok(user) => user,
                Err(CreateUserError::EmailTaken) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            if role == Role::Partner {
                enrol_demo_partner(conn, &user, now)?;
            }
            Ok(())
        })?;
        created += 1;
    }
    Ok(created)
}

/// Enrols a demo partner in every program (the official one too, as if a manager had
/// approved it); the integrator goes on the integrator track at Gold instead.
fn enrol_demo_partner(
    conn: &mut DbConn,
    user: &User,
    now: PrimitiveDateTime,
) -> anyhow::Result<()> {
    let integrator = user.email == DEMO_ACCOUNTS[1].1;
    for program in Program::all(conn)? {
        if integrator && !program.self_signup {
            continue;
        }
        let Some(membership) =
            Membership::enrol(conn, user.id, &program, now, tokens::referral_code)?
        else {
            continue;
        };
        if !integrator {
            continue;
        }
        let Some(gold) = Level::of_program(conn, program.id)?
            .into_iter()
            .find(|l| l.name == "Gold")
        else {
            continue;
        };
        Membership::update(
            conn,
            membership.id,
            &MembershipChanges {
                track: Some(Track::Integrator),
                ..Default::default()
            },
        )?;
        Membership::set_level(
            conn,
            &membership,
            gold.id,
            LevelChangeReason::Manual,
            None,
            now,
        )?;
    }
    Ok(())
}

/// The default link code of a partner's membership of the named program.
fn default_code(conn: &mut DbConn, user_id: i64, program: &str) -> anyhow::Result<Option<String>> {
    let memberships = Membership::of_user(conn, user_id)?;
    let Some((membership, _, _)) = memberships.iter().find(|(_, p, _)| p.name == program) else {
        return Ok(None);
    };
    Ok(Link::of_user(conn, user_id)?
        .into_iter()
        .find(|(l, m)| m.id == membership.id && l.is_default)
        .map(|(l, _)| l.code))
}

/// Demo activity, relative to today: Dana refers clients on Iron, reaches Bronze, and
/// has commissions pending, available and partly reversed, a frozen and a deleted
/// client, and a client of the EUR official program; Ivan, on Gold, earns 25% of annual
/// plans. Skipped once Dana has customers.
fn seed_activity(conn: &mut DbConn) -> anyhow::Result<()> {
    let Some(partner) = User::find_by_email(conn, DEMO_ACCOUNTS[0].1)? else {
        return Ok(());
    };
    let ids: Vec<i64> = Membership::of_user(conn, partner.id)?
        .iter()
        .map(|(m, _, _)| m.id)
        .collect();
    let counts = partnerly_db::figures::customer_counts(conn, &ids)?;
    if counts.active + counts.frozen + counts.deleted > 0 {
        return Ok(());
    }
    let referral_code = default_code(conn, partner.id, "Referral program")?;
    let official_code = default_code(conn, partner.id, "Official partners")?;
    let integrator_code = match User::find_by_email(conn, DEMO_ACCOUNTS[1].1)? {
        Some(u) => default_code(conn, u.id, "Referral program")?,
        None => None,
    };

    let now = OffsetDateTime::now_utc();
    let day = |d: i64| {
        (now - Duration::days(d))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let mut stream: Vec<Value> = Vec::new();
    let customer = |id: &str,
                    name: &str,
                    code: &Option<String>,
                    days_ago: i64,
                    stream: &mut Vec<Value>| {
        stream.push(json!({"id": format!("demo-signup-{id}"), "type": "customer.signed_up", "occurred_at": day(days_ago),
            "data": {"customer_id": id, "name": name,
                     "email": format!("billing@{}.example", name.to_lowercase().replace(' ', "-")), "ref_code": code}}));
    };
    let pay = |id: &str,
               customer: &str,
               amount: &str,
               currency: &str,
               days_ago: i64,
               stream: &mut Vec<Value>| {
        stream.push(json!({"id": format!("demo-pay-{id}"), "type": "payment.succeeded", "occurred_at": day(days_ago),
            "data": {"payment_id": id, "customer_id": customer, "amount": amount, "currency": currency,
                     "paid_at": day(days_ago)}}));
    };
    for (i, (name, days)) in [
        ("Northwind", 120),
        ("Globex", 100),
        ("Initech", 80),
        ("Umbrella", 40),
        ("Hooli", 10),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("cus_demo_{i}");
        customer(&id, name, &referral_code, days, &mut stream);
        pay(
            &format!("pay_demo_{i}_1"),
            &id,
            "49.00",
            "USD",
            days - 1,
            &mut stream,
        );
        if days > 60 {
            pay(
                &format!("pay_demo_{i}_2"),
                &id,
                "49.00",
                "USD",
                days - 31,
                &mut stream,
            );
        }
    }
    pay(
        "pay_demo_4_2",
        "cus_demo_4",
        "588.00",
        "USD",
        3,
        &mut stream,
    );
    stream.push(
        json!({"id": "demo-refund-1", "type": "payment.refunded", "occurred_at": day(2),
        "data": {"payment_id": "pay_demo_4_2", "amount": "294.00"}}),
    );
    stream.push(
        json!({"id": "demo-status-1", "type": "customer.status_changed", "occurred_at": day(20),
        "data": {"customer_id": "cus_demo_1", "status": "frozen"}}),
    );
    stream.push(
        json!({"id": "demo-status-2", "type": "customer.status_changed", "occurred_at": day(15),
        "data": {"customer_id": "cus_demo_2", "status": "deleted"}}),
    );
    stream.push(
        json!({"id": "demo-sub-1", "type": "subscription.updated", "occurred_at": day(5),
        "data": {"customer_id": "cus_demo_0", "plan": "Business", "ends_at": day(-25),
                 "balance": {"amount": "12.00", "currency": "USD"}}}),
    );
    customer(
        "cus_demo_eu",
        "Wazzup Reseller",
        &official_code,
        70,
        &mut stream,
    );
    pay(
        "pay_demo_eu_1",
        "cus_demo_eu",
        "1440.00",
        "EUR",
        69,
        &mut stream,
    );
    pay(
        "pay_demo_eu_2",
        "cus_demo_eu",
        "1440.00",
        "EUR",
        8,
        &mut stream,
    );
    if integrator_code.is_some() {
        for (i, days) in [90_i64, 50, 12].into_iter().enumerate() {
            let id = format!("cus_int_{i}");
            customer(
                &id,
                &format!("Integrated client {}", i + 1),
                &integrator_code,
                days,
                &mut stream,
            );
            pay(
                &format!("pay_int_{i}"),
                &id,
                "588.00",
                "USD",
                days - 1,
                &mut stream,
            );
        }
    }
    for value in stream {
        let envelope: EventEnvelope = serde_json::from_value(value)?;
        write_transaction(conn, |c| {
            Batch::run(c, |c, batch| ingest(c, batch, "demo-seed", &envelope))
        })
        .map_err(|e: CommissionError| anyhow::anyhow!("demo event {}: {e}", envelope.id))?;
    }
    release_due(conn, partnerly_db::now()).map_err(|e| anyhow::anyhow!("release: {e}"))?;
    Ok(())
}

/// Lines describing the demo logins that exist in this database.
pub fn demo_logins(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for (role, email, pass, ..) in DEMO_ACCOUNTS {
        if User::find_by_email(conn, email)?.is_some() {
            lines.push(format!("{:<8} {email} / {pass}", role.as_str()));
        }
    }
    Ok(lines)
}

/// Creates a staff account for `partnerly create-admin`.
pub fn create_staff(
    conn: &mut DbConn,
    email: &str,
    role: Role,
    password_hash: &str,
) -> anyhow::Result<User> {
    write_transaction(conn, |conn| {
        let now = partnerly_db::now();
        let mut new = NewUser::partner(email, password_hash, "", "", now);
        new.partner_kind = None;
        new.role = role;
        new.insert(conn, || 0).map_err(|e| match e {
            CreateUserError::EmailTaken => {
                anyhow::anyhow!("an account with the email {email} exists")
            }
            other => other.into(),
        })
    })
}
